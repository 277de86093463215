"""Keeps the benchmarks runnable: each runs once, tiny, and prints the figures it promises."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The scripts get no DATABASE_URL: they measure their own SQLite (or PostgreSQL when told).
pytestmark = pytest.mark.own_database


def check_home_page(figures: dict) -> None:
    assert figures["render"]["ratio_home_to_baseline"] > 0
    assert figures["page_weight"]["total_gzip_bytes"] < figures["page_weight"]["total_bytes"]


def check_energy_site_year(figures: dict) -> None:
    assert figures["single_pass"]["ratio_analysis_to_single_pass"] > 0
    assert figures["analysis"]["outage_starts"] > 0
    # pvlib runs inside every cold analysis, and is timed there.
    assert 0 < figures["analysis"]["pvlib_seconds"] < figures["analysis"]["median_seconds"]
    assert figures["analysis"]["two_pool_warm_median_seconds"] > 0
    assert figures["sites"]["extrapolated_100_sites_ingest_and_analysis_seconds"] > 0


def check_energy_storage(figures: dict) -> None:
    assert figures["store"]["rows_added"] == figures["rows"] > 0
    assert figures["store_again"]["rows_added"] == 0
    assert figures["load"]["rows"] == figures["rows"]


def check_oidc_token(figures: dict) -> None:
    # The test's PATH has no node, so the comparison is the bare view over the same server.
    assert figures["oidc_provider"]["install"] == "node or npm is not installed"
    assert figures["solhost"]["round_trips"] == figures["bare_server"]["round_trips"] == 5
    assert figures["solhost_in_process"]["round_trips"] == 5
    assert figures["solhost_in_process"]["authorize_p50_ms"] > 0
    assert figures["solhost_in_process"]["token_p50_ms"] > 0
    assert figures["ratio_solhost_to_baseline_per_second"] > 0
    for step in ("authorize_p50_ms", "token_p50_ms"):
        assert 0 < figures["solhost"][step] < figures["solhost"]["p95_ms"]
    assert figures["password_hashing"]["hasher"] == "argon2"
    assert figures["solhost"]["server"].startswith("gunicorn")
    assert len(figures["load_average"]) == 3


def check_served_pages(figures: dict) -> None:
    for server in ("before", "after"):
        for url in ("home", "static"):
            assert figures[server][url]["requests_per_second"] > 0
            assert figures[server][url]["errors"] == figures[server][url]["non_2xx"] == 0
        assert figures[server]["home_gzipped_by_server"]
    assert figures["after"]["server"].startswith("gunicorn")
    assert figures["ratio_after_to_before"]["home_requests_per_second"] > 0


def check_page_cpu(figures: dict) -> None:
    assert figures["region"]["services"] == 30
    assert figures["region"]["partners"] == 6
    for page in figures["pages"].values():
        assert page["median_ms"] > 0
        assert page["ratio_to_baseline"] > 0
        # The first visitor fills the cache that spares later ones most queries.
        assert page["first_request_queries"] > page["queries"] > 0


def check_pages_under_load(figures: dict) -> None:
    sqlite = figures["databases"]["sqlite"]
    assert sqlite["region"]["services"] == 30
    assert set(sqlite["pages"]) == {
        "home",
        "directory",
        "directory_filtered",
        "partner",
        "service",
        "static",
    }
    for label, page in sqlite["pages"].items():
        assert page["requests_per_second"] > 0
        assert page["errors"] == page["non_2xx"] == 0
        if label != "static":
            assert page["ratio_to_static_per_second"] > 0
    assert isinstance(sqlite["every_page_p95_under_goal"], bool)
    assert len(figures["load_average_after"]) == 3


def check_credential_renewal(figures: dict) -> None:
    # The region's five accounts and the thirty made for it.
    assert (figures["accounts"], figures["with_a_service"]) == (35, 15)
    assert figures["signed_out_per_second"] > 0
    assert figures["ratio_credentials_end_to_baseline"] > 0
    assert figures["ratio_sign_out_to_baseline"] > 0
    assert figures["account_journal"]["entries"] == 35
    assert figures["account_journal"]["ratio_write_to_one_write_each"] > 0


@pytest.mark.parametrize(
    ("script", "tiny", "check"),
    [
        ("home_page.py", ["--requests", "3"], check_home_page),
        (
            "energy_site_year.py",
            ["--days", "3", "--sites", "2", "--repeat", "2"],
            check_energy_site_year,
        ),
        ("energy_storage.py", ["--days", "3"], check_energy_storage),
        ("oidc_token.py", ["--round-trips", "5", "--hashes", "2"], check_oidc_token),
        ("credential_renewal.py", ["--accounts", "30"], check_credential_renewal),
        (
            "served_pages.py",
            ["--seconds", "1", "--clients", "4", "--database", "sqlite"],
            check_served_pages,
        ),
        (
            "page_cpu.py",
            ["--requests", "2", "--partners", "6", "--services", "30"],
            check_page_cpu,
        ),
        (
            "pages_under_load.py",
            [
                # Two seconds: in a busy test run, one second can see no request finish.
                *("--seconds", "2", "--clients", "4", "--databases", "sqlite"),
                *("--partners", "6", "--services", "30"),
            ],
            check_pages_under_load,
        ),
    ],
)
def test_benchmark_runs_and_prints_json_with_a_ratio(script, tiny, check, tmp_path):
    # The venv's commands, and wrk (a Debian package) alone beside them, for the
    # served-pages benchmark.
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "wrk").symlink_to(shutil.which("wrk"))
    path = os.pathsep.join([str(Path(sys.executable).parent), str(tools)])
    env = {"SOLHOST_VAR_DIR": str(tmp_path), "PATH": path}
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *tiny],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    check(json.loads(result.stdout))
