"""The source benchmark behind `cnn-viz bench source`: frame age from capture to display,
frames shown per second and frames dropped, for a camera or a video through the real window.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import numpy as np

from viz_app.errors import UserError
from viz_app.sources.camera import camera_opens
from viz_app.sources.spec import parse_source
from viz_app.sources.video import video_opens
from viz_app.state.options import RunOptions


class _ShownFrames:
    """What reached the screen: each captured frame once (a frame re-sent for a new ROI or
    model keeps its seq), warm-up frames apart."""

    def __init__(self, warmup: int) -> None:
        self.warmup = warmup
        self.t_start = time.perf_counter()
        self.ages: list[float] = []
        self.shown_at: list[float] = []
        self.warm: list[float] = []
        self._seen: set[int] = set()

    def on_shown(self, result: Any, t_shown: float) -> None:
        if result.t_event < self.t_start or result.seq in self._seen:
            return
        self._seen.add(result.seq)
        if result.seq <= self.warmup:
            self.warm.append(t_shown - result.t_event)
            return
        self.ages.append(t_shown - result.t_event)
        self.shown_at.append(t_shown)


def _age_figures(ages: list[float]) -> dict[str, float | None]:
    """Median, p95 and max of the frame ages in ms; growing lag shows as a last quarter much older than the first."""
    age_ms = np.array(ages) * 1e3
    if not len(age_ms):
        return dict.fromkeys(("median", "p95", "max", "first_quarter_median", "last_quarter_median"))
    quarter = max(1, len(age_ms) // 4)
    return {
        "median": round(float(np.median(age_ms)), 2),
        "p95": round(float(np.percentile(age_ms, 95)), 2),
        "max": round(float(age_ms.max()), 2),
        "first_quarter_median": round(float(np.median(age_ms[:quarter])), 2),
        "last_quarter_median": round(float(np.median(age_ms[-quarter:])), 2),
    }


FIRST_FRAME_S = 10.0  # a source that delivers nothing this long after the window is up has failed


def _check_spec(spec: str) -> None:
    """Refuse, before the window starts, a source the benchmark cannot measure."""
    parsed = parse_source(spec)
    if parsed.kind not in ("camera", "video"):
        raise UserError(f"bench source takes camera[:INDEX] or video:PATH, not {spec!r}")
    if parsed.kind == "video":
        if parsed.path is None or not parsed.path.is_file():
            raise UserError(f"no such video: {parsed.path}")
        if not video_opens(parsed.path):
            raise UserError(f"{parsed.path.name} is not a video OpenCV can play")
    if parsed.kind == "camera" and not camera_opens(parsed.index):
        raise UserError(f"camera {parsed.index} cannot be opened (not connected, or in use by another program)")


def _run_until(app: Any, controller: Any, wanted: int, deadline: float) -> None:
    """Let the window run until ``wanted`` frames were captured, the source stops, delivers
    nothing for FIRST_FRAME_S, or the deadline passes; then stop it and drain the results."""
    from PySide6.QtCore import QEventLoop

    source = controller.active
    first_frame_by = time.perf_counter() + FIRST_FRAME_S
    while controller.frames_in < wanted and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if source is None or not getattr(source, "running", False):
            break
        if controller.frames_in == 0 and time.perf_counter() > first_frame_by:
            break  # the source opened but delivers nothing: no point waiting for the deadline
    controller.stop()
    drain = time.perf_counter() + 0.5  # results still on their way to the screen
    while time.perf_counter() < drain:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def run_source_bench(
    spec: str, frames: int = 300, device: str = "cpu", model: str = "lenet5", timeout_s: float = 120.0, warmup: int = 30
) -> dict[str, Any]:
    """Run the real window (offscreen) fed by a camera or video source and measure how old the
    frame on screen is (capture to display), how many frames are shown per second and how
    many captured frames never reached the screen (dropped by the latest-wins mailboxes).

    The first ``warmup`` captured frames (panels being built, first forward passes) are left
    out of the figures.
    """
    _check_spec(spec)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop

    from viz_app.app.session import Session, attach_sources, make_application

    app = make_application([])
    session = Session(model, RunOptions(device))
    deadline = time.perf_counter() + timeout_s
    while session.window.model is None and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if session.window.model is None:
        session.close()
        raise RuntimeError(f"model {model} did not load within {timeout_s:.0f} s")
    session.window.show()
    messages: list[str] = []
    shown = _ShownFrames(warmup)
    session.window.result_shown.connect(shown.on_shown)
    controller = attach_sources(session, spec)
    controller.source_message.connect(messages.append)
    source = controller.active
    try:
        _run_until(app, controller, frames + warmup, deadline)
    finally:
        session.window.close()
        session.close()
    captured = max(0, controller.frames_in - warmup)
    span = shown.shown_at[-1] - shown.shown_at[0] if len(shown.shown_at) > 1 else 0.0
    return {
        "source": spec,
        "model": model,
        "device": session.window.model.device if session.window.model else device,
        "source_fps": getattr(source, "fps", None),
        "warmup_frames": warmup,
        "captured": captured,
        "shown": len(shown.ages),
        "dropped": captured - len(shown.ages),
        "skipped_by_source": getattr(source, "dropped", 0),
        "shown_fps": round((len(shown.shown_at) - 1) / span, 2) if span > 0 else 0.0,
        "age_ms": _age_figures(shown.ages),
        "warmup_age_ms_max": round(max(shown.warm) * 1e3, 2) if shown.warm else None,
        "messages": messages,
        "asked": frames,
    }


def print_source_bench(spec: str, frames: int, device: str, as_json: bool, model: str = "lenet5") -> int:
    """`cnn-viz bench source SPEC`: run the benchmark and print it (JSON or a line)."""
    report = run_source_bench(spec, frames, device, model)
    if as_json:
        print(json.dumps(report))
    else:
        age = report["age_ms"]
        print(
            f"{report['source']} -> {report['model']} on {report['device']}: frame age median {age['median']} ms, "
            f"p95 {age['p95']} ms; {report['shown_fps']} frames/s shown; {report['dropped']} of {report['captured']} captured frames dropped"
        )
    if report["captured"] < frames:
        why = "; ".join(report["messages"][-2:]) or "the source stopped early"
        print(f"cnn-viz: error: measured {report['captured']} of the {frames} frames asked for ({why})", file=sys.stderr)
        return 1
    return 0
