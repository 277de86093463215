"""Keeps the PostgreSQL benchmarks runnable: each once, tiny, against the run's server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("DATABASE_URL", "")
TINY_REGION = ("--residents", "300", "--services", "4", "--events", "3000", "--payers", "0.1")

pytestmark = pytest.mark.skipif(
    not SERVER.startswith("postgres"),
    reason="these benchmarks measure PostgreSQL (COPY, locks); run the suite with a PostgreSQL DATABASE_URL",
)


def run_script(script: str, tmp_path: Path, *arguments: str) -> dict:
    """The figures a benchmark prints, run with the suite's environment (its PostgreSQL)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, "SOLHOST_VAR_DIR": str(tmp_path)},
        cwd=ROOT,
        timeout=600,
        check=True,
    )
    return json.loads(result.stdout)


def run_tiny(script: str, database: str, tmp_path: Path, *extra: str) -> dict:
    return run_script(
        script, tmp_path, *TINY_REGION, *extra, *("--server", SERVER, "--database", database)
    )


def test_the_usage_benchmark_runs_tiny_and_prints_its_figures(tmp_path):
    figures = run_tiny("usage_ingest.py", "solhost_bench_ci", tmp_path)
    assert figures["ingest"]["accepted"] == 3000
    assert 0 < figures["active_days"] <= 3000
    assert figures["copy"]["ratio_batch_api_to_copy"] > 0
    assert figures["payments"]["recorded"] == 30
    assert f"Closed {figures['period']}" in figures["close_period"]["said"]
    assert figures["close_period"]["peak_rss_mib"] > 0


def test_the_close_contention_benchmark_runs_tiny_and_no_batch_fails(tmp_path):
    figures = run_tiny(
        "close_contention.py",
        "solhost_bench_contention_ci",
        tmp_path,
        *("--baseline-seconds", "1"),
    )
    assert figures["ingest"]["accepted"] == 3000
    assert f"Closed {figures['period']}" in figures["close_period"]["said"]
    for phase in ("baseline", "during_close"):
        assert figures[phase]["batches"] > 0
        assert figures[phase]["accepted_events"] == 1000 * figures[phase]["batches"]
        assert figures[phase]["longest_seconds"] >= figures[phase]["median_seconds"] > 0
    assert figures["ratio_longest_during_close_to_baseline"] > 0
    assert figures["ratio_median_during_close_to_baseline"] > 0
    assert figures["failed"] == 0


def test_the_site_forwarding_benchmark_runs_tiny_and_loses_nothing(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "site_forwarding.py"),
            *("--events", "300", "--residents", "30", "--services", "10"),
            *("--server", SERVER, "--prefix", "solhost_bench_sites_ci"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SOLHOST_VAR_DIR": str(tmp_path)},
        cwd=ROOT,
        timeout=900,
        check=True,
    )
    figures = json.loads(result.stdout)
    assert figures["queued"] == figures["direct"]["accepted"] == 300
    assert figures["forward"]["stored"] == figures["forward"]["sent"] == 300
    assert figures["forward"]["left"] == {"audit": 0, "usage": 0}
    assert figures["forward"]["problem"] == ""
    assert figures["ratio_forward_to_direct"] > 0


def test_the_sign_in_benchmark_compares_with_oidc_provider_in_memory_and_in_postgresql(
    tmp_path,
):
    # Node.js and the committed lock's oidc-provider are there (the Makefile installs both),
    # so both comparison servers and their PostgreSQL store are driven, not skipped.
    figures = run_script("oidc_token.py", tmp_path, "--round-trips", "3", "--hashes", "1")
    assert figures["solhost"]["server"].endswith("PostgreSQL")
    assert figures["oidc_provider"]["install"] == "already installed"
    pinned = json.loads((ROOT / "benchmarks" / "oidc_provider_node" / "package.json").read_text())
    assert (
        figures["oidc_provider"]["package"]
        == f"oidc-provider {pinned['dependencies']['oidc-provider']}"
    )
    assert figures["oidc_provider"]["store"].startswith("memory")
    assert figures["oidc_provider_postgresql"]["store"] == "PostgreSQL"
    for provider in ("solhost", "solhost_in_process", "oidc_provider", "oidc_provider_postgresql"):
        assert figures[provider]["round_trips"] == 3
        assert 0 < figures[provider]["token_p50_ms"] <= figures[provider]["p95_ms"]
    assert figures["client_floor"]["round_trips"] == 3
    assert figures["ratio_solhost_to_oidc_provider_per_second"] > 0
    assert figures["ratio_solhost_in_process_to_oidc_provider_per_second"] > 0
    assert figures["ratio_solhost_to_oidc_provider_postgresql_per_second"] > 0
