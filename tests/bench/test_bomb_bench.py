"""A compression bomb declaring 1 GiB in a few MB: refused with the process's peak resident memory
at most 200 MB above the app's baseline (its own process); the bench says how long the refusal took."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from viz_app.bench import bomb


@pytest.mark.slow
def test_a_compression_bomb_is_refused_before_it_is_read() -> None:
    command = [sys.executable, "-m", "viz_app.bench.bomb", "--gib", "1", "--model", "lenet5"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=300)
    report = json.loads(out.stdout)
    assert report["refused"] and "too large" in report["message"] and report["file_mb"] < 10
    assert report["peak_rise_mb"] <= bomb.PEAK_LIMIT_MB, report  # refused from the sizes it declares, before reading
    assert report["peak_rss_after_mb"] > 100  # a real peak was read (torch and a model are in memory)
    assert report["refusal_s"] > 0
    # The bench fails loudly exactly when a limit is passed (the time too, which a busy machine may stretch).
    assert out.returncode == (0 if report["refusal_s"] < bomb.TIME_LIMIT_S else 1), out.stderr[-2000:]
