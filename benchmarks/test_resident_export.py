"""Keeps the export benchmark runnable: once, tiny, printing the figures it promises."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.own_database


def test_the_export_benchmark_runs_tiny_and_prints_its_figures(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "resident_export.py"), "--sizes", "40", "200"],
        capture_output=True,
        text=True,
        env={"SOLHOST_VAR_DIR": str(tmp_path), "PATH": str(Path(sys.executable).parent)},
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    figures = json.loads(result.stdout)
    assert figures["inline_rows"] > 0
    assert [size["rows"] for size in figures["sizes"]] == [40, 200]
    for size in figures["sizes"]:
        assert size["zip_bytes"] > 0 and size["peak_mb"] > 0
        assert size["ratio_to_baseline"] > 0 and size["erase_ms"] >= 0
