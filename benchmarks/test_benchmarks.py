"""Keeps the benchmarks runnable: each runs once, tiny, and prints the figures it promises."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script", ["home_page.py"])
def test_benchmark_runs_and_prints_json_with_a_ratio(script, tmp_path):
    env = {"SOLHOST_VAR_DIR": str(tmp_path), "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--requests", "3"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    figures = json.loads(result.stdout)
    assert figures["render"]["ratio_home_to_baseline"] > 0
    assert figures["page_weight"]["total_gzip_bytes"] < figures["page_weight"]["total_bytes"]
