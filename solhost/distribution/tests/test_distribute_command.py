import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "docs" / "examples" / "distribution" / "worked-example.json"
EXPECTED = REPO / "docs" / "examples" / "distribution" / "worked-example.expected.json"
DOC = REPO / "docs" / "distribution.md"


def distribute(*args):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("distribute", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def refused(*args):
    stderr = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("distribute", *args, stdout=io.StringIO(), stderr=stderr)
    return caught.value.code, stderr.getvalue().splitlines()


def test_the_worked_example_gives_the_expected_output():
    out, err = distribute("--scenario", str(EXAMPLE), "--format", "json")
    assert err == ""
    assert json.loads(out) == json.loads(EXPECTED.read_text(encoding="utf-8"))


def test_the_documentation_quotes_the_expected_figures():
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    doc = DOC.read_text(encoding="utf-8")
    assert expected["input_hash"] in doc
    assert "solhost distribute --scenario docs/examples/distribution/worked-example.json" in doc
    for key, p in expected["partners"].items():
        row = (
            f"| {key} | {p['gross_cents']} | {p['land_back_cents']} | {p['held_cents']} "
            f"| {p['carried_in_cents']} | {p['payout_cents']} | {p['carried_cents']} |"
        )
        assert row in doc, row
    for m in expected["members"]:
        services = ", ".join(f"{s} {c}" for s, c in m["services"].items()) or "none"
        row = (
            f"| {m['id']} | {m['paid_cents']} | {m['commons_cents']} | {m['solidarity_cents']} "
            f"| {m['providers_cents']} | {services} |"
        )
        assert row in doc, row
    balance = expected["balance"]
    equation = (
        f"{balance['total_in_cents']} = {balance['commons_cents']} + {balance['solidarity_cents']}"
        f" + {balance['land_back_cents']} + {balance['held_cents']} + {balance['payout_cents']}"
        f" + ({balance['carried_out_cents']} − {balance['carried_in_cents']})"
    )
    assert equation in doc, equation


def test_the_text_format_shows_tables_in_dollars_and_the_balance():
    out, _ = distribute("--scenario", str(EXAMPLE))
    assert "Input hash (sha256): 344a54633df9c23a" in out
    assert re.search(
        r"^acorn\s+yes\s+3\s+26\s+11\.77\s+1\.18\s+0\.00\s+0\.00\s+10\.59\s+0\.00$", out, re.M
    )
    assert re.search(r"^banksia\s+no\s+1\s+10\s+3\.40\s+0\.34\s+3\.06\s", out, re.M)
    assert re.search(r"^ben\s+5\.00\s+0\.50\s+0\.25\s+4\.25\s+no usage: to commons$", out, re.M)
    assert "40.36 = 8.28 + 2.02 + 1.52 + 3.06 + 26.01 + (4.17 - 4.70) = 40.36" in out
    assert "balanced: true" in out


def test_a_malformed_scenario_exits_2_listing_every_problem(tmp_path):
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document["members"][1]["paid_cents"] = 5.0
    document["members"][2]["active_days"]["video"] = 2
    document["services"]["forum"] = "nobody"
    scenario = tmp_path / "bad.json"
    scenario.write_text(json.dumps(document))
    code, lines = refused("--scenario", str(scenario))
    assert code == 2
    assert lines == [
        f"{scenario}: 3 problems:",
        '$.services.forum: names the unknown partner "nobody"',
        "$.members[1].paid_cents: must be a whole number of cents ≥ 0, got 5.0",
        '$.members[2].active_days.video: names the unknown service "video"',
    ]


def test_invalid_json_and_a_missing_file_exit_2(tmp_path):
    scenario = tmp_path / "broken.json"
    scenario.write_text('{"period": ')
    code, lines = refused("--scenario", str(scenario))
    assert code == 2
    assert lines[1].startswith("$: is not valid JSON: ")
    code, lines = refused("--scenario", str(tmp_path / "absent.json"))
    assert code == 2
    assert lines == [
        f"{tmp_path / 'absent.json'}: cannot read the scenario: No such file or directory"
    ]


def test_the_solhost_command_runs_offline_with_no_database(tmp_path):
    # A database nobody can reach: the command must never need it.
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "SOLHOST_VAR_DIR": str(tmp_path),
    }

    def solhost(*args):
        command = [sys.executable, "-m", "solhost.cli", *args]
        return subprocess.run(
            command, capture_output=True, text=True, cwd=REPO, env=env, check=False
        )

    done = solhost("distribute", "--scenario", str(EXAMPLE), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(EXPECTED.read_text(encoding="utf-8"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"period": "2026-10"}')
    done = solhost("distribute", "--scenario", str(bad))
    assert done.returncode == 2
    assert "$.members: is required" in done.stderr.splitlines()
