import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from solhost.qualification.models import CloudRangeList, QualificationRun

EXAMPLES = Path("docs/examples/cloud-ranges")


def test_import_cloud_ranges_stores_them_and_s1_then_compares_ips(world):
    world.mcc_server.public_ips = [
        json.loads((EXAMPLES / "aws-ip-ranges.json").read_text())["prefixes"][0]["ip_prefix"].split(
            "/"
        )[0]
    ]
    world.mcc_server.save()
    call_command("import-cloud-ranges", "aws", str(EXAMPLES / "aws-ip-ranges.json"))
    stored = CloudRangeList.objects.get(provider="aws")
    assert stored.company == "Amazon" and stored.count > 0
    call_command("qualify", "--partner", "mcc", "--at", "2026-11-01")
    run = QualificationRun.objects.get(organisation=world.mcc)
    s1 = run.results.get(criterion="S1")
    assert s1.status == "not_met"
    assert "Amazon" in s1.reason


def test_a_malformed_ranges_file_changes_nothing_and_says_where(world, tmp_path, capsys):
    call_command("import-cloud-ranges", "aws", str(EXAMPLES / "aws-ip-ranges.json"))
    before = CloudRangeList.objects.get(provider="aws").networks
    broken = tmp_path / "ip-ranges.json"
    document = json.loads((EXAMPLES / "aws-ip-ranges.json").read_text())
    document["prefixes"][1]["ip_prefix"] = "52.95.999.0/24"
    broken.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="stored ranges were not changed"):
        call_command("import-cloud-ranges", "aws", str(broken))
    assert "$.prefixes[1].ip_prefix" in capsys.readouterr().err
    assert CloudRangeList.objects.get(provider="aws").networks == before


def test_a_file_that_is_not_json_is_refused(world, tmp_path):
    bad = tmp_path / "x.json"
    shutil.copy(EXAMPLES / "README.md", bad)
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("import-cloud-ranges", "google", str(bad))
    assert not CloudRangeList.objects.exists()


def test_qualify_evaluates_every_partner_and_refuses_unknown_ones(world, capsys):
    call_command("qualify", "--at", "2026-11-01")
    assert QualificationRun.objects.filter(organisation__slug__in=["mcc", "cct"]).count() == 2
    assert not QualificationRun.objects.filter(organisation=world.steward).exists()
    assert "mcc: not qualified on 2026-11-01" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no partner called nope"):
        call_command("qualify", "--partner", "nope")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("qualify", "--at", "yesterday")


def test_the_nightly_task_calls_the_same_evaluation(world):
    from solhost.qualification.tasks import qualify_nightly

    qualify_nightly.call_local()
    assert QualificationRun.objects.filter(trigger="nightly evaluation").count() == 2


def test_evidence_expiry_command_reports_what_it_sent(world, capsys):
    call_command("evidence-expiry")
    assert "0 notice(s) sent (window: 30 days)" in capsys.readouterr().out
