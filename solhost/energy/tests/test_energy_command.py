"""``solhost energy analyse`` on the documented examples, offline."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from solhost.energy.tests.helpers import four_hours_csv

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "energy"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("energy", "analyse", *args, stdout=out)
    return out.getvalue()


def test_json_has_every_documented_key():
    result = json.loads(
        run(
            str(EXAMPLES / "TELEMETRY.csv"),
            "--site",
            str(EXAMPLES / "SITE.json"),
            "--format",
            "json",
        )
    )
    assert result["renewable_share_365d"] == 1.0
    assert result["monthly"][0]["month"] == "2026-01"
    assert set(result["monthly"][0]) >= {"month", "renewable_share"}
    assert 0 < result["coverage"] < 0.01
    for criterion in ("s2_1", "s2_2", "s3"):
        assert set(result[criterion]) == {"status", "reason", "day"}
    assert result["s2_1"]["status"] == "met"
    assert result["s2_1"]["day"] is not None
    assert result["s2_2"]["status"] == "needs_evidence"
    assert result["s3"]["status"] == "grace"
    assert {
        "hours",
        "survival_probability",
        "min_survival_hours",
        "strict_survival_probability",
    } <= set(result["outage"])
    assert result["outage"]["hours"] == 72


def test_text_report_and_parameters_from_the_command_line():
    text = run(
        str(EXAMPLES / "TELEMETRY.csv"),
        "--site",
        str(EXAMPLES / "SITE.json"),
        "--at",
        "2026-01-11",
        "--renewable-window-days",
        "2",
        "--outage-hours",
        "24",
    )
    assert "S2.2 met: Renewable share over the 2 days to 2026-01-11 is 100.0 %" in text
    assert "Outage of 24 h" in text


def test_a_bad_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ts_start,interval_s,channel,energy_kwh\n")
    with pytest.raises(CommandError, match="column 'energy_kwh' is in kWh"):
        run(str(bad), "--site", str(EXAMPLES / "SITE.json"))


def four_hours_files(tmp_path, **site):
    telemetry = tmp_path / "TELEMETRY.csv"
    telemetry.write_text(four_hours_csv())
    document = json.loads((EXAMPLES / "SITE.json").read_text())
    del document["server"]
    document.update(site)
    site_file = tmp_path / "SITE.json"
    site_file.write_text(json.dumps(document))
    return str(telemetry), str(site_file)


@pytest.mark.parametrize(
    ("site", "flags", "share"),
    [
        # Grid energy counts as it is imported: 150 Wh of 400 Wh.
        ({}, [], 0.625),
        ({"battery_accounting": "single_pool"}, [], 0.625),
        # Grid energy counts as it reaches the load: 100 Wh directly, 30 Wh from the battery.
        ({"battery_accounting": "two_pool"}, [], 0.675),
        ({}, ["--two-pool"], 0.675),
    ],
)
def test_site_json_chooses_how_grid_energy_in_the_battery_counts(tmp_path, site, flags, share):
    telemetry, site_file = four_hours_files(tmp_path, **site)
    result = json.loads(run(telemetry, "--site", site_file, "--format", "json", *flags))
    assert result["renewable_share_365d"] == pytest.approx(share)
    assert any("Two-pool" in note for note in result["notes"]) == (share == 0.675)
