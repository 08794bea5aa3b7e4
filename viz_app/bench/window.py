"""`cnn-viz bench`: the live window, headless, driven by a scripted stroke, timed stage by stage."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
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
    presentation = getattr(args, "view", "normal") == "presentation"  # `cnn-viz bench --view presentation`
    report = bench_window(args.bench_model, args.bench_device, args.frames, args.rate, args.panel, presentation)
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
    if presentation and "latency_ratio" in report and not args.json:
        for key in ("normal", "presentation"):
            part = report[key]
            print(f"{key} view: {part['frames']} frames, {part['updates_per_s']:.1f} updates/s, latency median "
                  f"{part['latency_ms']['median']:.2f} ms, p95 {part['latency_ms']['p95']:.2f} ms")
        print(f"ratio presentation/normal (medians, alternating blocks in one run): frame interval {report['frame_interval_ratio']:.2f}, "
              f"latency {report['latency_ratio']:.2f}")
    if report["frames_measured"] < args.frames:
        print(f"cnn-viz bench: only {report['frames_measured']} of {args.frames} frames were shown before the time limit", file=sys.stderr)
        return 1
    return 0


WORK_STAGES = ("preprocess", "forward", "mosaic", "transfer", "gui")  # the frame's own work, without waiting
STAGES = ("preprocess", "forward", "mosaic", "transfer", "to_gui", "gui")  # reported per stage


def bench_window(model: str = "lenet5", device: str = "auto", frames: int = 600, rate: float = 120.0, panel: str | None = None,
                 presentation: bool = False) -> dict:  # fmt: skip
    """Draw digits on the real window at ``rate`` pointer events per second; time every shown frame.

    ``panel`` (an insight panel's registry key, e.g. "augment"): the side tab switches between
    the layer picker and that panel every second, and the frames computed with and without the
    panel's extra are reported apart, with the ratio of their medians. ``presentation``: the
    window alternates every two seconds between its normal view and the full-screen
    presentation view (1920x1080 when the bench starts the application), reported apart the same way.
    """
    from viz_app.ui.panels.registry import check_panel_key

    if panel is not None:
        check_panel_key(panel)  # refused before a window and a model thread exist
    from viz_app.app.session import Session, make_application

    screen_config = _offscreen_1080p()
    app = make_application()
    if screen_config is not None:
        screen_config.unlink()  # read when the platform started
    session = Session(model, device, sync_timing=True)
    window = session.window
    try:
        window.resize(1400, 860)
        window.show()
        info = _wait_for_model(window, model)
        run = _drive(window, frames, rate, panel, presentation)
        paints = _time_repaints(window)
    finally:
        session.close()
        window.close()
        app.processEvents()
    measured = len(run.records)
    records = _with_work_and_intervals(run.records)
    elapsed = run.elapsed
    return {
        "model": model,
        "device": info.device,
        "frames_requested": frames,
        "frames_measured": measured,
        "frames_shown": len(records),
        "input_events": run.events,
        "input_rate_hz": rate,
        "updates_per_s": round(len(records) / elapsed, 1) if elapsed else 0.0,
        "latency_ms": _summary([r["latency"] for r in records]),
        "stages_ms": {k: _summary([r[k] for r in records]) for k in STAGES},
        "full_repaint_ms": _summary(paints),
        "torch_threads": _torch_threads(),
        **({"panel": panel, **_split(records, "panel", ("without_panel", "with_panel"))} if panel is not None else {}),
        **(_split(records, "presenting", ("normal", "presentation")) if presentation else {}),
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
    limit = QTimer(singleShot=True, interval=60_000, timeout=loop.quit)  # guards the load only: stopped below
    limit.start()
    loop.exec()
    limit.stop()
    window.model_shown.disconnect(on_loaded)
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


def _drive(window: MainWindow, frames: int, rate: float, panel: str | None, presentation: bool = False) -> _Run:
    """Feed the stroke until ``frames`` frames were shown, toggling ``panel``'s tab every second
    (and the presentation view every two seconds)."""
    from PySide6.QtCore import QEventLoop, QTimer

    run = _Run()
    loop = QEventLoop()

    def on_shown(result: FrameResult, t_shown: float) -> None:
        """Record one shown frame's timings; stop after ``frames``."""
        run.records.append({"latency": (t_shown - result.t_event) * 1e3, "gui": window.gui_ms,
                            "to_gui": (t_shown - result.t_done) * 1e3 - window.gui_ms, **vars(result.timings),
                            "panel": panel is not None and panel in result.extras, "presenting": window.presenting,
                            "shown": t_shown})  # fmt: skip
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
    presenter = QTimer(interval=2000, timeout=lambda: window.set_presentation(not window.presenting))
    if panel is not None:
        toggler.start()
    if presentation:
        window.set_presentation(True)
        presenter.start()
    limit = QTimer(singleShot=True, interval=max(30_000, int(frames / 20 * 1000)), timeout=loop.quit)
    started = time.perf_counter()
    timer.start()
    limit.start()
    loop.exec()
    run.elapsed = time.perf_counter() - started
    for each in (timer, toggler, presenter, limit):
        each.stop()
    window.result_shown.disconnect(on_shown)
    window.set_presentation(False)
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
        same = previous is not None and (previous["panel"], previous["presenting"]) == (r["panel"], r["presenting"])
        r["interval"] = (r["shown"] - previous["shown"]) * 1e3 if previous and same else None
    return records


def _split(records: list[dict], flag: str, names: tuple[str, str]) -> dict:
    """The frames without and with ``flag`` (panel in view, presentation) reported apart, with the ratios of their medians."""
    split: dict = {}
    parts = {on: [r for r in records if r[flag] is on] for on in (False, True)}
    for on, key in ((False, names[0]), (True, names[1])):
        intervals = [r["interval"] for r in parts[on] if r["interval"] is not None]
        split[key] = {"frames": len(parts[on]), "frame_interval_ms": _summary(intervals),
                      "updates_per_s": round(1000 * len(intervals) / sum(intervals), 1) if intervals else 0.0,
                      "latency_ms": _summary([r["latency"] for r in parts[on]]),
                      "work_ms": _summary([r["work"] for r in parts[on]]),
                      "stages_ms": {k: _summary([r[k] for r in parts[on]]) for k in STAGES}}  # fmt: skip
    base, shown = split[names[0]], split[names[1]]
    if base["frames"] and shown["frames"]:
        for name, part in (("frame_interval_ratio", "frame_interval_ms"), ("latency_ratio", "latency_ms"), ("work_ratio", "work_ms")):
            split[name] = round(shown[part]["median"] / base[part]["median"], 3)
    return split


def _offscreen_1080p() -> Path | None:
    """Before the bench starts Qt offscreen: one 1920x1080 screen (the presentation view is full screen)."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None or os.environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return None
    config = {"screens": [{"name": "bench", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "dpr": 1}]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="cnn-viz-screen-", delete=False) as file:
        json.dump(config, file)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={file.name}"
    return Path(file.name)


def _torch_threads() -> int:
    """Intra-op threads torch uses here (the bench's numbers depend on it)."""
    import torch

    return torch.get_num_threads()
