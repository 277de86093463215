"""``solhost assess`` on every shipped example, in-process (database access is blocked in these
tests, so any query would fail them) and once as a user runs it, against no database at all."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from solhost.qualification.rules import CRITERIA_VERSION

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "docs" / "examples"
RANGES = sorted((EXAMPLES / "cloud-ranges").glob("*.json"))
AT = "2026-11-01"


def assess(*args: str) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("assess", *args, stdout=stdout, stderr=stderr)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code)
    return code, stdout.getvalue(), stderr.getvalue()


def assess_json(name: str, *extra: str) -> tuple[int, dict]:
    ranges = [arg for path in RANGES for arg in ("--cloud-ranges", str(path))]
    code, out, _ = assess(str(EXAMPLES / name), "--at", AT, "--format", "json", *ranges, *extra)
    return code, json.loads(out)


def failing(document: dict) -> list[tuple[str, str, str]]:
    return [
        (o["criterion"], o["subject"], o["status"])
        for o in document["outcomes"]
        if o["status"] not in ("met", "grace", "not_applicable")
    ]


def test_the_qualifying_example_qualifies():
    code, document = assess_json("dossier-qualifies.json")
    assert code == 0
    assert set(document) == {"criteria_version", "qualified", "outcomes", "parameters"}
    assert document["criteria_version"] == CRITERIA_VERSION
    assert document["qualified"] is True
    assert failing(document) == []
    statuses = {(o["criterion"], o["subject"]): o["status"] for o in document["outcomes"]}
    assert statuses[("S3", "server:mch-northcote-node")] == "grace"
    assert statuses[("S2.3", "server:mch-backup-ballarat")] == "not_applicable"
    assert document["parameters"]["local_max_distance_m"] == 1000
    assert (
        document["parameters"]["liberatory_licences"][0]
        == "LicenseRef-scancode-anti-capitalist-1.4"
    )


@pytest.mark.parametrize(
    ("name", "expected", "reason"),
    [
        (
            "dossier-fails-aws-by-ip.json",
            [("B6", "partner", "not_met"), ("S1", "server:mch-backup-cloud", "not_met")],
            "its address 3.24.10.20 is in Amazon's published range 3.24.0.0/14",
        ),
        (
            "dossier-fails-server-outside.json",
            [("B6", "partner", "not_met"), ("S1", "server:mch-northcote-node", "not_met")],
            "server `mch-northcote-node` is 1207 m outside the boundary (limit 1000 m)",
        ),
        (
            "dossier-fails-proprietary-licence.json",
            [("B6", "partner", "not_met"), ("V1", "service:sites", "not_met")],
            "BUSL-1.1 (not OSI-approved, not FSF-libre, not on the liberatory list)",
        ),
        (
            "dossier-fails-land-back.json",
            [("B7", "partner", "not_met")],
            "AUD 17,982.00 are 9.99 % of gross revenue AUD 180,000.00",
        ),
        (
            "dossier-fails-surplus.json",
            [("B1.1", "partner", "not_met")],
            "the surplus of AUD 2,500.00 for the year ending 2026-06-30 exceeds the allowed reserve of AUD 0.00",
        ),
        (
            "dossier-fails-end-of-life.json",
            [("B3.1", "partner", "needs_evidence"), ("B3", "partner", "needs_evidence")],
            "the end-of-life plan does not say how every user's data is returned",
        ),
    ],
)
def test_each_failing_example_fails_for_its_one_reason(name, expected, reason):
    code, document = assess_json(name)
    assert code == 1
    assert document["qualified"] is False
    assert failing(document) == expected
    assert any(reason in o["reason"] for o in document["outcomes"])


def test_the_aws_example_needs_the_published_ranges_to_be_caught():
    code, out, _ = assess(
        str(EXAMPLES / "dossier-fails-aws-by-ip.json"), "--at", AT, "--format", "json"
    )
    assert code == 0
    document = json.loads(out)
    backup = next(
        o
        for o in document["outcomes"]
        if o["criterion"] == "S1" and o["subject"] == "server:mch-backup-cloud"
    )
    assert backup["status"] == "met"
    assert backup["reason"].endswith("not compared with cloud ranges, as none were loaded")


def test_a_malformed_dossier_exits_2_and_prints_every_problem_with_its_path():
    path = EXAMPLES / "dossier-malformed.json"
    code, out, err = assess(str(path), "--at", AT)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 7
    assert f"{path}: $.servers[2].latitude: must be between -90 and 90, got -95" in lines
    assert f"{path}: $.services[0].servers[2]: no server has the id 'mch-nowhere'" in lines
    assert f"{path}: $.end_of_life.user_migration: is required" in lines


def test_unreadable_inputs_exit_2(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, _, err = assess(str(broken))
    assert code == 2 and "(file): is not JSON" in err
    code, _, err = assess(str(tmp_path / "missing.json"))
    assert code == 2 and "(file): cannot be read" in err
    code, _, err = assess(str(EXAMPLES / "dossier-qualifies.json"), "--at", "1 November")
    assert code == 2 and "--at: (option): must be a date written YYYY-MM-DD" in err
    bad_ranges = tmp_path / "ranges.json"
    bad_ranges.write_text('{"prefixes": [{"ip_prefix": "nope"}], "ipv6_prefixes": []}')
    code, _, err = assess(
        str(EXAMPLES / "dossier-qualifies.json"), "--cloud-ranges", str(bad_ranges)
    )
    assert code == 2 and "$.prefixes[0].ip_prefix: is not a network in CIDR notation" in err


def test_params_override_the_charter_values(tmp_path):
    params = tmp_path / "params.json"
    params.write_text('{"local_max_distance_m": 1500}')
    code, document = assess_json("dossier-fails-server-outside.json", "--params", str(params))
    assert code == 0
    assert document["parameters"]["local_max_distance_m"] == 1500
    params.write_text('{"local_max_distance_m": "far"}')
    code, _, err = assess(str(EXAMPLES / "dossier-qualifies.json"), "--params", str(params))
    assert code == 2
    assert f"{params}: $.local_max_distance_m: must be a whole number, got 'far'" in err


def test_another_region_boundary_can_be_given(tmp_path):
    region = tmp_path / "elsewhere.geojson"
    region.write_text(
        json.dumps(
            {
                "type": "Polygon",
                "coordinates": [
                    [[145.0, -38.0], [145.1, -38.0], [145.1, -37.9], [145.0, -37.9], [145.0, -38.0]]
                ],
            }
        )
    )
    code, document = assess_json("dossier-qualifies.json", "--region", str(region))
    assert code == 1
    assert ("S1", "server:mch-coburg-1", "not_met") in failing(document)
    region.write_text('{"type": "Point", "coordinates": [145, -38]}')
    code, _, err = assess(str(EXAMPLES / "dossier-qualifies.json"), "--region", str(region))
    assert code == 2 and "type: must be Polygon or MultiPolygon" in err


def test_text_output_is_a_table_with_a_verdict():
    code, out, _ = assess(str(EXAMPLES / "dossier-fails-land-back.json"), "--at", AT)
    assert code == 1
    lines = out.splitlines()
    assert lines[1].split() == ["CRITERION", "SUBJECT", "STATUS", "REASON"]
    assert any(line.split()[:3] == ["B7", "partner", "not_met"] for line in lines)
    assert lines[-1].startswith("NOT QUALIFIED (")


def test_the_console_script_works_with_no_database(tmp_path):
    solhost = shutil.which("solhost", path=str(Path(sys.executable).parent))
    env = {
        k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DJANGO_")
    }
    env["SOLHOST_VAR_DIR"] = str(tmp_path / "var")
    result = subprocess.run(
        [
            solhost,
            "assess",
            str(EXAMPLES / "dossier-qualifies.json"),
            "--at",
            AT,
            "--format",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["qualified"] is True
    assert not (tmp_path / "var" / "solhost.sqlite3").exists()
