"""Keeps the usage benchmark runnable: once, tiny, against the PostgreSQL server of the run."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(
    not SERVER.startswith("postgres"),
    reason="the usage benchmark measures PostgreSQL (COPY, locks); run the suite with a PostgreSQL DATABASE_URL",
)
def test_the_usage_benchmark_runs_tiny_and_prints_its_figures(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "usage_ingest.py"),
            *("--residents", "300", "--services", "4", "--events", "3000", "--payers", "0.1"),
            *("--server", SERVER, "--database", "solhost_bench_ci"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SOLHOST_VAR_DIR": str(tmp_path)},
        cwd=ROOT,
        timeout=600,
        check=True,
    )
    figures = json.loads(result.stdout)
    assert figures["ingest"]["accepted"] == 3000
    assert 0 < figures["active_days"] <= 3000
    assert figures["copy"]["ratio_batch_api_to_copy"] > 0
    assert figures["payments"]["recorded"] == 30
    assert f"Closed {figures['period']}" in figures["close_period"]["said"]
    assert figures["close_period"]["peak_rss_mib"] > 0
