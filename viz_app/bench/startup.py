"""`cnn-viz bench startup`: seconds from process start to the first frame the window shows.

Each run starts `cnn-viz` as a new process, as a user's launcher does, with fresh settings (a
temporary configuration folder, so the first-start path is measured) and
``--log-predictions``; the clock stops when the log gets its first shown frame. The window
needs a display: the one in $DISPLAY, else Qt's offscreen platform.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from viz_app.errors import UserError

TIMEOUT_S = 60.0  # a window that shows nothing this long after starting has failed


def _first_frame_seconds(device: str, model: str) -> float:
    """One start: seconds until the log holds a shown frame (its first line with a "seq")."""
    with tempfile.TemporaryDirectory(prefix="cnn-viz-startup-") as tmp:
        log = Path(tmp) / "shown.jsonl"
        env = {**os.environ, "XDG_CONFIG_HOME": tmp}
        if not env.get("DISPLAY"):
            env["QT_QPA_PLATFORM"] = "offscreen"
        cmd = [sys.executable, "-m", "viz_app", "--device", device, "--model", model, "--log-predictions", str(log)]
        t0 = time.perf_counter()
        process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            while time.perf_counter() - t0 < TIMEOUT_S:
                if log.is_file() and '"seq"' in log.read_text(encoding="utf-8"):
                    return time.perf_counter() - t0
                if process.poll() is not None:
                    err = process.stderr.read().decode(errors="replace").strip() if process.stderr else ""
                    raise UserError(f"cnn-viz exited with status {process.returncode} before showing a frame: {err[-300:]}")
                time.sleep(0.005)
            raise UserError(f"cnn-viz showed no frame within {TIMEOUT_S:.0f} s")
        finally:
            process.kill()
            process.wait()


def run_startup_bench(runs: int, device: str, model: str, as_json: bool) -> int:
    """Start the window ``runs`` times and print the median, min and max seconds to the first frame."""
    seconds = [_first_frame_seconds(device, model) for _ in range(runs)]
    report = {
        "measure": "process start to the first frame shown, fresh settings",
        "model": model, "device": device, "runs": runs,
        "median_s": round(statistics.median(seconds), 3),
        "min_s": round(min(seconds), 3), "max_s": round(max(seconds), 3),
        "each_s": [round(s, 3) for s in seconds],
        "display": os.environ.get("DISPLAY") or "offscreen",
    }  # fmt: skip
    if as_json:
        print(json.dumps(report))
    else:
        print(f"start-up to the first frame of {model} on {device}: median {report['median_s']:.2f} s "
              f"(min {report['min_s']:.2f}, max {report['max_s']:.2f}, {runs} runs, display {report['display']})")  # fmt: skip
    return 0
