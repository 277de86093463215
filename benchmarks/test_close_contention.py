"""Keeps the close contention benchmark runnable: once, tiny, against the run's PostgreSQL."""

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
    reason="the close locks tables only on PostgreSQL; run the suite with a PostgreSQL DATABASE_URL",
)
def test_the_close_contention_benchmark_runs_tiny_and_no_batch_fails(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "close_contention.py"),
            *("--residents", "300", "--services", "4", "--events", "3000", "--payers", "0.1"),
            *("--baseline-seconds", "1"),
            *("--server", SERVER, "--database", "solhost_bench_contention_ci"),
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
    assert f"Closed {figures['period']}" in figures["close_period"]["said"]
    for phase in ("baseline", "during_close"):
        assert figures[phase]["batches"] > 0
        assert figures[phase]["accepted_events"] == 1000 * figures[phase]["batches"]
        assert figures[phase]["longest_seconds"] >= figures[phase]["median_seconds"] > 0
    assert figures["ratio_longest_during_close_to_baseline"] > 0
    assert figures["ratio_median_during_close_to_baseline"] > 0
    assert figures["failed"] == 0
