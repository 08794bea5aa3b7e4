"""`cnn-viz bench close`: seconds from asking the window to close to the end of its process.

Each run starts `cnn-viz` as a user's launcher does (fresh settings, no cached weights,
``--log-predictions``), waits until the window shows its model's first frame, or with
``--early`` only until the window is up (a large model is then still being built), and asks it
to close with SIGTERM, which the window takes as its Quit (Ctrl+Q). The clock runs from the
signal to the end of the process. The window needs a display: the one in $DISPLAY, else Qt's
offscreen platform.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from viz_app.errors import UserError

START_TIMEOUT_S = 120.0  # a window that is not up (or shows no frame) this long after starting has failed
EXIT_TIMEOUT_S = 60.0  # a process that has not ended this long after the signal is killed and reported


def _events(log: Path) -> list[dict]:
    if not log.is_file():
        return []
    lines = log.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip().endswith("}")]


def _wait_for(process: subprocess.Popen[bytes], log: Path, event: str) -> None:
    """Until the log holds ``event`` ("window" or "ready"); an error if the process ends or times out first."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < START_TIMEOUT_S:
        if any(e.get("event") == event for e in _events(log)):
            return
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace").strip() if process.stderr else ""
            raise UserError(f"cnn-viz exited with status {process.returncode} before the close was asked: {err[-300:]}")
        time.sleep(0.01)
    raise UserError(f"cnn-viz did not reach '{event}' within {START_TIMEOUT_S:.0f} s")


def close_once(device: str, model: str, early: bool) -> dict:
    """One start and close: seconds from SIGTERM to the process's end, its exit status, and
    whether the model had been shown before the close."""
    with tempfile.TemporaryDirectory(prefix="cnn-viz-close-") as tmp:
        log = Path(tmp) / "shown.jsonl"
        env = {**os.environ, "XDG_CONFIG_HOME": tmp, "TORCH_HOME": str(Path(tmp) / "torch")}
        if not env.get("DISPLAY"):
            env["QT_QPA_PLATFORM"] = "offscreen"
        cmd = [sys.executable, "-m", "viz_app", "--device", device, "--model", model, "--log-predictions", str(log)]
        process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_for(process, log, "window" if early else "ready")
            t0 = time.perf_counter()
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(EXIT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                raise UserError(f"cnn-viz had not ended {EXIT_TIMEOUT_S:.0f} s after it was asked to close") from None
            seconds = time.perf_counter() - t0
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            loaded = any(e.get("event") == "ready" for e in _events(log))
        finally:
            process.kill()
            process.wait()
    return {"seconds": seconds, "exit_status": process.returncode, "model_shown": loaded, "traceback": "Traceback" in err}


def run_close_bench(runs: int, device: str, model: str, early: bool, as_json: bool) -> int:
    """Start and close the window ``runs`` times; print the median, min and max seconds to the end
    of the process. Exit 1 when a run did not end cleanly (non-zero status or a traceback)."""
    each = [close_once(device, model, early) for _ in range(runs)]
    seconds = [r["seconds"] for r in each]
    report = {
        "measure": "SIGTERM (the window's Quit) to the end of the process",
        "model": model, "device": device, "runs": runs,
        "closed": "as soon as the window was up" if early else "after the first frame",
        "median_s": round(statistics.median(seconds), 3), "min_s": round(min(seconds), 3), "max_s": round(max(seconds), 3),
        "each_s": [round(s, 3) for s in seconds],
        "model_shown_before_close": sum(r["model_shown"] for r in each),
        "clean_exits": sum(r["exit_status"] == 0 and not r["traceback"] for r in each),
        "display": os.environ.get("DISPLAY") or "offscreen",
    }  # fmt: skip
    if as_json:
        print(json.dumps(report))
    else:
        print(f"close of {model} on {device}, {report['closed']}: median {report['median_s']:.2f} s to the end of the process "
              f"(min {report['min_s']:.2f}, max {report['max_s']:.2f}, {runs} runs; {report['clean_exits']} clean, "
              f"model shown before the close in {report['model_shown_before_close']})")  # fmt: skip
    if report["clean_exits"] < runs:
        print(f"cnn-viz bench: {runs - report['clean_exits']} of {runs} closes did not end cleanly", file=sys.stderr)
        return 1
    return 0
