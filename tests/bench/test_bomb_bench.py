"""A compression bomb declaring 1 GiB in a few MB: refused in well under a second, with the
process's peak resident memory at most 200 MB above the app's baseline (its own process)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_a_compression_bomb_is_refused_before_it_is_read() -> None:
    command = [sys.executable, "-m", "viz_app.bench.bomb", "--gib", "1", "--model", "lenet5"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout)
    assert report["refused"] and "too large" in report["message"] and report["file_mb"] < 10
    assert report["peak_rise_mb"] <= 200 and report["refusal_s"] < 0.5, report
    assert report["peak_rss_after_mb"] > 100  # a real peak was read (torch and a model are in memory)
