"""Keeps the status sums benchmark runnable: once, tiny, printing the figures it promises."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.own_database


def test_the_status_benchmark_runs_tiny_and_prints_its_figures(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "status_sums.py"), "--addresses", "2"],
        capture_output=True,
        text=True,
        env={"SOLHOST_VAR_DIR": str(tmp_path), "PATH": str(Path(sys.executable).parent)},
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    (size,) = json.loads(result.stdout)["sizes"]
    assert (size["addresses"], size["hour_rows"]) == (2, 4320)
    assert size["sums_ms"] >= 0 and size["cached_ms"] >= 0 and size["period_ms"] >= 0
