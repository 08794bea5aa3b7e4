"""`cnn-viz bench`: the live window, headless, driven by a scripted stroke, timed stage by stage."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from viz_app.records.frames import FrameResult, ModelInfo
    from viz_app.ui.main_window import MainWindow


def _percentile(values: list[float], q: float) -> float:
    """The q-th percentile of ``values`` (NaN when there are none)."""
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def _summary(values: list[float]) -> dict[str, float]:
    """Median and 95th percentile, rounded to the microsecond ({} when there are no values)."""
    return {"median": round(statistics.median(values), 3), "p95": round(_percentile(values, 95), 3)} if values else {}


def run_bench(args: argparse.Namespace) -> int:
    """`cnn-viz bench` without --zoo or --source: time the live window and print the report."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    report = bench_window(args.bench_model, args.bench_device, args.frames, args.rate, args.panel)
    if args.json:
        print(json.dumps(report, indent=2))
    elif args.panel:
        base, shown = report["without_panel"], report["with_panel"]
        for label, part in (("without", base), (f"with the {args.panel} panel", shown)):
            lat = part["latency_ms"]
            print(f"{report['model']} on {report['device']}, {label}: {part['frames']} frames, frame interval median "
                  f"{part['frame_interval_ms']['median']:.2f} ms, latency median {lat['median']:.2f} ms (p95 {lat['p95']:.2f}), "
                  f"work per frame median {part['work_ms']['median']:.2f} ms")
        print(f"ratio with/without (medians, alternating blocks in one run): frame interval {report['frame_interval_ratio']:.2f}, "
              f"latency {report['latency_ratio']:.2f}, work per frame {report['work_ratio']:.2f}")
    else:
        lat = report["latency_ms"]
        print(f"{report['model']} on {report['device']}: {report['updates_per_s']:.1f} updates/s, "
              f"latency median {lat['median']:.2f} ms, p95 {lat['p95']:.2f} ms (input event -> panels updated)")
        print("stages (median ms): " + ", ".join(f"{k} {v['median']:.3f}" for k, v in report["stages_ms"].items()))
    return 0


WORK_STAGES = ("preprocess", "forward", "mosaic", "transfer", "gui")  # the frame's own work, without waiting
STAGES = ("preprocess", "forward", "mosaic", "transfer", "to_gui", "gui")  # reported per stage


def bench_window(model: str = "lenet5", device: str = "auto", frames: int = 600, rate: float = 120.0, panel: str | None = None) -> dict:
    """Draw digits on the real window at ``rate`` pointer events per second; time every shown frame.

    ``panel`` (an insight panel's registry key, e.g. "augment"): the side tab switches between
    the layer picker and that panel every second, and the frames computed with and without the
    panel's extra are reported apart, with the ratio of their medians.
    """
    from viz_app.ui.panels.registry import check_panel_key

    if panel is not None:
        check_panel_key(panel)  # refused before a window and a model thread exist
    from viz_app.app.session import Session, make_application

    app = make_application()
    session = Session(model, device, sync_timing=True)
    window = session.window
    try:
        window.resize(1400, 860)
        window.show()
        info = _wait_for_model(window, model)
        run = _drive(window, frames, rate, panel)
        paints = _time_repaints(window)
    finally:
        session.close()
        window.close()
        app.processEvents()
    records = _with_work_and_intervals(run.records)
    elapsed = run.elapsed
    return {
        "model": model,
        "device": info.device,
        "frames_shown": len(records),
        "input_events": run.events,
        "input_rate_hz": rate,
        "updates_per_s": round(len(records) / elapsed, 1) if elapsed else 0.0,
        "latency_ms": _summary([r["latency"] for r in records]),
        "stages_ms": {k: _summary([r[k] for r in records]) for k in STAGES},
        "full_repaint_ms": _summary(paints),
        "torch_threads": _torch_threads(),
        **({"panel": panel, **_split_by_panel(records)} if panel is not None else {}),
    }


@dataclass
class _Run:
    """What one scripted drawing session recorded."""

    records: list[dict] = field(default_factory=list)  # one per shown frame
    events: int = 0  # pointer events fed to the pad
    elapsed: float = 0.0  # seconds from the first event to the last frame counted


def _wait_for_model(window: MainWindow, model: str) -> ModelInfo:
    """Run the event loop until the window shows ``model`` (at most 60 s)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    info: dict = {}

    def on_loaded(model_info: ModelInfo) -> None:
        """The model is shown: stop waiting."""
        info["model"] = model_info
        loop.quit()

    window.model_shown.connect(on_loaded)  # emitted on this thread, once the loop runs: no race with the load
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    if "model" not in info:
        raise RuntimeError(f"model {model} did not load within 60 s")
    return info["model"]


def _stroke_feeder(window: MainWindow, run: _Run) -> Callable[[], None]:
    """A function that puts the next point of the scripted digits 0-9 on the pad, in a loop."""
    from viz_app.sources.scripted import scaled_strokes

    side = window.pad.canvas.size
    events = [(d, i, p) for d in range(10) for i, s in enumerate(scaled_strokes(d, side)) for p in s]
    last_digit: list[int | None] = [None]

    def feed() -> None:
        """Put the next point on the pad."""
        digit, stroke, point = events[run.events % len(events)]
        if digit != last_digit[0]:
            window.pad.clear()
            last_digit[0] = digit
        previous = events[(run.events - 1) % len(events)]
        if previous[:2] != (digit, stroke) or run.events == 0:
            window.pad.stroke_begin(*point)
        else:
            window.pad.stroke_to(*point)
        run.events += 1

    return feed


def _drive(window: MainWindow, frames: int, rate: float, panel: str | None) -> _Run:
    """Feed the stroke until ``frames`` frames were shown, toggling ``panel``'s tab every second."""
    from PySide6.QtCore import QEventLoop, QTimer

    run = _Run()
    loop = QEventLoop()

    def on_shown(result: FrameResult, t_shown: float) -> None:
        """Record one shown frame's timings; stop after ``frames``."""
        run.records.append({"latency": (t_shown - result.t_event) * 1e3, "gui": window.gui_ms,
                            "to_gui": (t_shown - result.t_done) * 1e3 - window.gui_ms, **vars(result.timings),
                            "panel": panel is not None and panel in result.extras, "shown": t_shown})  # fmt: skip
        if len(run.records) >= frames:
            loop.quit()

    def toggle_panel() -> None:
        """Switch between the layer picker and the panel."""
        shown = window.panel(panel) if panel is not None else None
        on = window.side.currentWidget() is not shown
        window.side.setCurrentWidget(shown if on else window.layer_picker)

    window.result_shown.connect(on_shown)
    timer = QTimer(interval=max(1, round(1000 / rate)), timeout=_stroke_feeder(window, run))
    toggler = QTimer(interval=1000, timeout=toggle_panel)
    if panel is not None:
        toggler.start()
    started = time.perf_counter()
    timer.start()
    QTimer.singleShot(max(30_000, int(frames / 20 * 1000)), loop.quit)
    loop.exec()
    run.elapsed = time.perf_counter() - started
    timer.stop()
    toggler.stop()
    return run


def _time_repaints(window: MainWindow, times: int = 50) -> list[float]:
    """Milliseconds of each of ``times`` full repaints (Qt paints dirty panels once per loop pass)."""
    paints = []
    for _ in range(times):
        t0 = time.perf_counter()
        window.centralWidget().repaint()
        paints.append((time.perf_counter() - t0) * 1e3)
    return paints


def _with_work_and_intervals(records: list[dict]) -> list[dict]:
    """Drop the warm-up frames; add each frame's own work and its interval since the previous one."""
    records = records[10:] if len(records) > 50 else records  # skip the warm-up frames
    for r, previous in zip(records, [None, *records[:-1]]):
        r["work"] = sum(r[k] for k in WORK_STAGES)
        # Frame interval: time since the previous shown frame, where both had the same panel state.
        r["interval"] = (r["shown"] - previous["shown"]) * 1e3 if previous and previous["panel"] is r["panel"] else None
    return records


def _split_by_panel(records: list[dict]) -> dict:
    """The frames with and without the panel's extra reported apart, with the ratios of their medians."""
    split: dict = {}
    parts = {on: [r for r in records if r["panel"] is on] for on in (False, True)}
    for on, key in ((False, "without_panel"), (True, "with_panel")):
        intervals = [r["interval"] for r in parts[on] if r["interval"] is not None]
        split[key] = {"frames": len(parts[on]), "frame_interval_ms": _summary(intervals),
                      "latency_ms": _summary([r["latency"] for r in parts[on]]),
                      "work_ms": _summary([r["work"] for r in parts[on]]),
                      "stages_ms": {k: _summary([r[k] for r in parts[on]]) for k in STAGES}}  # fmt: skip
    base, shown = split["without_panel"], split["with_panel"]
    if base["frames"] and shown["frames"]:
        for name, part in (("frame_interval_ratio", "frame_interval_ms"), ("latency_ratio", "latency_ms"), ("work_ratio", "work_ms")):
            split[name] = round(shown[part]["median"] / base[part]["median"], 3)
    return split


def _torch_threads() -> int:
    """Intra-op threads torch uses here (the bench's numbers depend on it)."""
    import torch

    return torch.get_num_threads()
