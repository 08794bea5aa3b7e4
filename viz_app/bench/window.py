"""`cnn-viz bench`: the live window, headless, driven by a scripted stroke, timed stage by stage."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from viz_app.bench.memory_marks import memory_line, memory_probe, memory_report
from viz_app.bench.screen import offscreen_1080p
from viz_app.bench.sketch import FrameAggregate, summarise
from viz_app.bench.unit_turns import FAVOURITE_WAIT_MS, favourite_computed, favourites_report, runner_of, unit_driver
from viz_app.state.options import RunOptions

if TYPE_CHECKING:
    from viz_app.records.frames import FrameResult, ModelInfo
    from viz_app.ui.main_window import MainWindow


def run_bench(args: argparse.Namespace) -> int:
    """`cnn-viz bench` without --zoo or --source: time the live window and print the report."""
    presentation = getattr(args, "view", "normal") == "presentation"  # `cnn-viz bench view presentation`
    report = bench_window(args.model, args.device, args.frames, args.rate, args.panel, presentation,
                          getattr(args, "precision", "auto"), getattr(args, "weights", None), getattr(args, "trace", None))  # fmt: skip
    if args.json:
        print(json.dumps(report, indent=2))
    elif args.panel:
        _print_panel(report, args.panel)
    else:
        lat = report["latency_ms"]
        print(
            f"{report['model']} on {report['device']}: {report['updates_per_s']:.1f} updates/s, "
            f"latency median {lat['median']:.2f} ms, p95 {lat['p95']:.2f} ms (input event -> panels updated)"
        )
        print("stages (median ms): " + ", ".join(f"{k} {v['median']:.3f}" for k, v in report["stages_ms"].items()))
    if presentation and "latency_ratio" in report and not args.json:
        for key in ("normal", "presentation"):
            part = report[key]
            print(
                f"{key} view: {part['frames']} frames, {part['updates_per_s']:.1f} updates/s, latency median "
                f"{part['latency_ms']['median']:.2f} ms, p95 {part['latency_ms']['p95']:.2f} ms"
            )
        print(
            f"ratio presentation/normal (medians, alternating blocks in one run): frame interval {report['frame_interval_ratio']:.2f}, "
            f"latency {report['latency_ratio']:.2f}"
        )
    memory = report["memory"]
    if memory["marks"] and not args.json:
        print(memory_line(memory))
    if "trace" in report and not args.json:
        print(f"trace: {report['trace']} (open it in ui.perfetto.dev or chrome://tracing)")
    if report["frames_measured"] < args.frames:
        print(f"cnn-viz bench: only {report['frames_measured']} of {args.frames} frames were shown before the time limit", file=sys.stderr)
        return 1
    if memory["marks"] and not memory["hooks_constant"]:
        print(f"cnn-viz bench: the hooks on the model changed while it ran: {memory_line(memory)}", file=sys.stderr)
        return 1
    if args.panel == "unit" and not (report["favourites_computed"] and report["without_panel"]["frames"] and report["with_panel"]["frames"]):
        print(
            "cnn-viz bench: no favourite input was computed (or no frame came without one): the ratio measures nothing; ask for more --frames", file=sys.stderr
        )
        return 1
    return 0


def _print_panel(report: dict, panel: str) -> None:
    """The frames with and without the panel, and their ratio."""
    base, shown = report["without_panel"], report["with_panel"]
    labels = ("a unit selected", "while its favourite input is computed") if panel == "unit" else ("without", f"with the {panel} panel")
    for label, part in zip(labels, (base, shown)):
        lat = part["latency_ms"]
        print(
            f"{report['model']} on {report['device']}, {label}: {part['frames']} frames, frame interval median "
            f"{part['frame_interval_ms']['median']:.2f} ms, latency median {lat['median']:.2f} ms (p95 {lat['p95']:.2f}), "
            f"work per frame median {part['work_ms']['median']:.2f} ms"
        )
    print(
        f"ratio with/without (medians, alternating blocks in one run): frame interval {report['frame_interval_ratio']:.2f}, "
        f"latency {report['latency_ratio']:.2f}, work per frame {report['work_ratio']:.2f}"
    )
    if panel == "unit":
        print(
            f"favourite inputs computed meanwhile: {report['favourites_computed']}, each "
            f"{report['favourite_seconds'].get('median', 0):.2f} s in the child process at idle priority, "
            f"{report['favourite_wait_seconds'].get('median', 0):.2f} s from request to answer (medians)"
        )


WARMUP_FRAMES = 10  # not counted in the timings (runs of more than 50 frames)
WORK_STAGES = ("preprocess", "forward", "mosaic", "transfer", "gui")  # the frame's own work, without waiting
STAGES = ("preprocess", "forward", "mosaic", "transfer", "to_gui", "gui")  # reported per stage


def bench_window(model: str = "lenet5", device: str = "auto", frames: int = 600, rate: float = 120.0, panel: str | None = None,
                 presentation: bool = False, precision: str = "auto", weights: Path | None = None, trace: Path | None = None) -> dict:  # fmt: skip
    """Draw digits on the real window at ``rate`` pointer events per second; time every shown frame.

    ``panel`` (an insight panel's registry key, e.g. "augment"): the side tab switches between
    the layer picker and that panel every second, and the frames computed with and without the
    panel's extra are reported apart, with the ratio of their medians. ``presentation``: the
    window alternates every two seconds between its normal view and the full-screen
    presentation view (1920x1080 when the bench starts the application), reported apart the same way.
    ``precision``: the model's arithmetic, as the window's --precision (the report's "device" names an autocast).
    ``trace``: write every frame's stages per thread there (``viz_app.app.trace``; the report names it).
    """
    from viz_app.state.panels import check_panel_key

    if panel is not None:
        check_panel_key(panel)  # refused before a window and a model thread exist
    from viz_app.app.session import Session, make_application
    from viz_app.app.trace import FrameTrace

    screen_config = offscreen_1080p()
    app = make_application()
    if screen_config is not None:
        screen_config.unlink()  # read when the platform started
    session = Session(model, RunOptions(device, precision, sync_timing=True), weights)
    window = session.window
    tracer = FrameTrace(trace, window) if trace is not None else None
    if tracer is not None:
        tracer.attach(window)
    try:
        window.resize(1400, 860)
        window.show()
        info = _wait_for_model(window, model)
        run = _drive(window, frames, rate, panel, presentation, memory_probe(session))
        paints = _time_repaints(window)
        favourites = favourites_report(window) if panel == "unit" else {}
    finally:
        session.close()
        window.close()
        app.processEvents()
    counted, elapsed = run.frames.all, run.elapsed
    return {
        "model": model,
        "weights": info.weights,
        "device": info.device,
        "frames_requested": frames,
        "frames_measured": run.frames.seen,
        "frames_shown": counted.frames,
        "input_events": run.events,
        "input_rate_hz": rate,
        "updates_per_s": round(counted.frames / elapsed, 1) if elapsed else 0.0,
        "latency_ms": counted.latency.summary(),
        "stages_ms": {k: q.summary() for k, q in counted.stages.items()},
        "full_repaint_ms": summarise(paints),
        "torch_threads": _torch_threads(),
        **({"trace": str(tracer.save())} if tracer is not None else {}),
        "memory": memory_report(run.marks),
        **({"panel": panel, **run.frames.split("panel", ("without_panel", "with_panel"))} if panel is not None else {}),
        **(run.frames.split("presenting", ("normal", "presentation")) if presentation else {}),
        **favourites,
    }


@dataclass
class _Run:
    """What one scripted drawing session recorded."""

    frames: FrameAggregate  # every shown frame's timings, aggregated as it comes
    marks: list[dict] = field(default_factory=list)  # memory and hooks at the start, middle and end
    events: int = 0  # pointer events fed to the pad
    elapsed: float = 0.0  # seconds from the first event to the last frame counted


def _panel_toggler(window: MainWindow, panel: str | None, last: list[FrameResult]) -> Callable[[], None]:
    """A function, called every second, that switches between the layer picker and the panel.
    The unit panel stays in view instead, see ``_unit_driver``."""
    if panel == "unit":
        return unit_driver(window, last)

    def toggle() -> None:
        shown = window.panel(panel) if panel is not None else None
        on = window.side.currentWidget() is not shown
        window.side.setCurrentWidget(shown if on else window.layer_picker)

    return toggle


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


def _drive(window: MainWindow, frames: int, rate: float, panel: str | None, presentation: bool = False,
           probe: Callable[[], dict] | None = None) -> _Run:  # fmt: skip
    """Feed the stroke until ``frames`` frames were shown, toggling ``panel``'s tab every second
    (and the presentation view every two seconds); ``probe()`` read at the first frame after the
    warm-up, the middle one and the last."""
    from PySide6.QtCore import QEventLoop, QTimer

    warmup = WARMUP_FRAMES if frames > 50 else 0
    run = _Run(FrameAggregate(STAGES, WORK_STAGES, ("panel", "presenting"), warmup))
    loop = QEventLoop()
    mark_at = {min(frames, warmup + 1), max(warmup + 1, frames // 2), frames}
    last: list[FrameResult] = []  # the frame shown last
    favourite_busy = lambda: runner_of(window).busy
    enough = favourite_computed(window) if panel == "unit" else (lambda: True)  # the unit bench goes on until one is

    def on_shown(result: FrameResult, t_shown: float) -> None:
        """Count one shown frame's timings (kept as aggregates only); stop after ``frames``."""
        run.frames.add({"latency": (t_shown - result.t_event) * 1e3, "gui": window.gui_ms,
                        "to_gui": (t_shown - result.t_done) * 1e3 - window.gui_ms, **vars(result.timings),
                        "panel": favourite_busy() if panel == "unit" else panel is not None and panel in result.extras,
                        "presenting": window.presenting,
                        "shown": t_shown})  # fmt: skip
        last[:] = [result]
        if panel == "unit" and run.frames.seen == 1:
            toggler.timeout.emit()  # a unit is selected from the first frame on
        if probe is not None and run.frames.seen in mark_at:
            run.marks.append({"frame": run.frames.seen, **probe()})
        if run.frames.seen >= frames and enough():
            loop.quit()

    window.result_shown.connect(on_shown)
    timer = QTimer(interval=max(1, round(1000 / rate)), timeout=_stroke_feeder(window, run))
    toggler = QTimer(interval=1000, timeout=_panel_toggler(window, panel, last))
    presenter = QTimer(interval=2000, timeout=lambda: window.set_presentation(not window.presenting))
    if panel is not None:
        toggler.start()
    if presentation:
        window.set_presentation(True)
        presenter.start()
    limit_ms = max(30_000, int(frames / 20 * 1000)) + (FAVOURITE_WAIT_MS if panel == "unit" else 0)
    limit = QTimer(singleShot=True, interval=limit_ms, timeout=loop.quit)
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


def _torch_threads() -> int:
    """Intra-op threads torch uses here (the bench's numbers depend on it)."""
    import torch

    return torch.get_num_threads()
