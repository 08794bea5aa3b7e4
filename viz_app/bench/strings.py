"""`cnn-viz bench string`: the live window reading a string written on the pad's wide canvas.

A scripted five-digit string is written on the pad in string mode, point by point at the
input rate, with the feature maps and the String panel in view; every shown frame is timed
from its pointer event to the moment all panels hold it, as `cnn-viz bench` does for one digit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from viz_app.app.string_mode import STRING_MODEL
from viz_app.bench.sketch import summarise
from viz_app.bench.window import STAGES, WORK_STAGES, _torch_threads, _wait_for_model
from viz_app.models.registry import get_spec
from viz_app.records.frames import Head
from viz_app.state.options import RunOptions

if TYPE_CHECKING:
    from viz_app.records.frames import FrameResult
    from viz_app.ui.main_window import MainWindow

STRING = "31415"  # the digits written, one per cell of the strip
PANEL = "sdnn"  # the String panel's registry key
WARMUP = 10  # first frames left out (panels being built, first forwards)


def run_string_bench(args: argparse.Namespace) -> int:
    """`cnn-viz bench string`: print the report (``--json``: as JSON). A model that reads one
    digit (LeNet-5, the default) gives way to the string reader, with a note."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless, as every window bench
    model = args.model
    if get_spec(model).head is not Head.STRING:
        print(f"cnn-viz bench string: {model} reads one digit at a time; timing {STRING_MODEL} instead", file=sys.stderr)
        model = STRING_MODEL
    report = bench_strings(model, args.device, args.frames, args.rate)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        lat = report["latency_ms"]
        print(
            f"{report['model']} on {report['device']}, a {len(STRING)}-digit string on the pad with the maps and the String panel: "
            f"{report['updates_per_s']:.1f} updates/s, latency median {lat['median']:.2f} ms, p95 {lat['p95']:.2f} ms "
            f"(input event -> panels updated), strip {report['strip_width']} px wide, last read {report['last_read']!r}"
        )
        print("stages (median ms): " + ", ".join(f"{k} {v['median']:.3f}" for k, v in report["stages_ms"].items()))
    if report["frames_measured"] < args.frames:
        print(f"cnn-viz bench: only {report['frames_measured']} of {args.frames} frames were shown before the time limit", file=sys.stderr)
        return 1
    return 0


def bench_strings(model: str = "sdnn", device: str = "auto", frames: int = 600, rate: float = 120.0) -> dict:
    """Write the string on the real window at ``rate`` pointer events per second; time every shown frame."""
    from viz_app.app.session import Session, make_application

    app = make_application()
    session = Session(model, RunOptions(device, sync_timing=True))
    window = session.window
    records: list[dict] = []
    try:
        window.resize(1400, 860)
        window.show()
        info = _wait_for_model(window, model)
        window.pad.set_string_mode(True)
        window.side.setCurrentWidget(window.panel(PANEL))
        elapsed, last = _drive(window, frames + WARMUP, rate, records)
    finally:
        session.close()
        window.close()
        app.processEvents()
    measured = records[WARMUP:]
    span = measured[-1]["shown"] - measured[0]["shown"] if len(measured) > 1 else 0.0
    return {
        "model": model,
        "device": info.device,
        "string": STRING,
        "frames_requested": frames,
        "frames_measured": len(measured),
        "input_rate_hz": rate,
        "updates_per_s": round((len(measured) - 1) / span, 1) if span else 0.0,
        "latency_ms": summarise([r["latency"] for r in measured]),
        "work_ms": summarise([sum(r[k] for k in WORK_STAGES) for r in measured]),
        "stages_ms": {k: summarise([r[k] for r in measured]) for k in STAGES},
        "panel_frames": sum(r["panel"] for r in measured),
        "strip_width": last.network_input.shape[1] if last is not None else 0,
        "last_read": last.text if last is not None else None,
        "elapsed_s": round(elapsed, 2),
        "torch_threads": _torch_threads(),
    }


def _string_feeder(window: MainWindow) -> Callable[[], None]:
    """A function that puts the next point of the scripted string on the pad, in a loop."""
    from viz_app.sources.scripted import scaled_strokes

    side = window.pad.canvas.size
    events = [(cell, i, (x + cell * side, y)) for cell, digit in enumerate(STRING)
              for i, stroke in enumerate(scaled_strokes(int(digit), side)) for x, y in stroke]  # fmt: skip
    count = [0]

    def feed() -> None:
        """Put the next point on the pad (the pad is cleared before the string starts again)."""
        cell, stroke, point = events[count[0] % len(events)]
        previous = events[(count[0] - 1) % len(events)]
        if count[0] % len(events) == 0:
            window.pad.clear()
        if count[0] % len(events) == 0 or previous[:2] != (cell, stroke):
            window.pad.stroke_begin(*point)
        else:
            window.pad.stroke_to(*point)
        count[0] += 1

    return feed


def _drive(window: MainWindow, frames: int, rate: float, records: list[dict]) -> tuple[float, FrameResult | None]:
    """Feed the string until ``frames`` frames were shown: (seconds it took, the last result)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    last: list[FrameResult | None] = [None]

    def on_shown(result: FrameResult, t_shown: float) -> None:
        """Record one shown frame's timings; stop after ``frames``."""
        records.append({"latency": (t_shown - result.t_event) * 1e3, "gui": window.gui_ms,
                        "to_gui": (t_shown - result.t_done) * 1e3 - window.gui_ms, **vars(result.timings),
                        "panel": PANEL in result.extras, "shown": t_shown})  # fmt: skip
        last[0] = result
        if len(records) >= frames:
            loop.quit()

    window.result_shown.connect(on_shown)
    timer = QTimer(interval=max(1, round(1000 / rate)), timeout=_string_feeder(window))
    limit = QTimer(singleShot=True, interval=max(30_000, int(frames / 20 * 1000)), timeout=loop.quit)
    started = time.perf_counter()
    timer.start()
    limit.start()
    loop.exec()
    for each in (timer, limit):
        each.stop()
    window.result_shown.disconnect(on_shown)
    return time.perf_counter() - started, last[0]
