"""The source benchmark behind `cnn-viz bench --source`: frame age from capture to display,
frames shown per second and frames dropped, for a camera or a video through the real window.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import numpy as np

from viz_app.sources.spec import parse_source


def run_source_bench(
    spec: str, frames: int = 300, device: str = "cpu", model: str = "lenet5", timeout_s: float = 120.0, warmup: int = 30
) -> dict[str, Any]:
    """Run the real window (offscreen) fed by a camera or video source and measure how old the
    frame on screen is (capture to display), how many frames are shown per second and how
    many captured frames never reached the screen (dropped by the latest-wins mailboxes).

    The first ``warmup`` captured frames (panels being built, first forward passes) are left
    out of the figures.
    """
    parsed = parse_source(spec)
    if parsed.kind not in ("camera", "video"):
        raise ValueError(f"bench --source takes camera[:INDEX] or video:PATH, not {spec!r}")
    if parsed.kind == "video" and (parsed.path is None or not parsed.path.is_file()):
        raise FileNotFoundError(f"no such video: {parsed.path}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop

    from viz_app.app.session import Session, make_application
    from viz_app.app.source_control import attach_sources

    app = make_application([])
    session = Session(model, device)
    deadline = time.perf_counter() + timeout_s
    while session.window.model is None and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if session.window.model is None:
        session.close()
        raise RuntimeError(f"model {model} did not load within {timeout_s:.0f} s")
    session.window.show()
    ages: list[float] = []
    shown_at: list[float] = []
    messages: list[str] = []
    t_start = time.perf_counter()

    seen: set[int] = set()
    warm: list[float] = []

    def on_shown(result: Any, t_shown: float) -> None:
        # Each captured frame once (a frame re-sent for a new ROI or model keeps its seq).
        if result.t_event < t_start or result.seq in seen:
            return
        seen.add(result.seq)
        if result.seq <= warmup:
            warm.append(t_shown - result.t_event)
            return
        ages.append(t_shown - result.t_event)
        shown_at.append(t_shown)

    session.window.result_shown.connect(on_shown)
    controller = attach_sources(session, spec)
    controller.source_message.connect(messages.append)
    source = controller.active
    try:
        while controller.frames_in < frames + warmup and time.perf_counter() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            if source is None or not getattr(source, "running", False):
                break
        controller.stop()
        drain = time.perf_counter() + 0.5  # results still on their way to the screen
        while time.perf_counter() < drain:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    finally:
        session.window.close()
        session.close()
    captured = max(0, controller.frames_in - warmup)
    age_ms = np.array(ages) * 1e3
    quarter = max(1, len(age_ms) // 4)
    span = shown_at[-1] - shown_at[0] if len(shown_at) > 1 else 0.0
    return {
        "source": spec,
        "model": model,
        "device": session.window.model.device if session.window.model else device,
        "source_fps": getattr(source, "fps", None),
        "warmup_frames": warmup,
        "captured": captured,
        "shown": len(ages),
        "dropped": captured - len(ages),
        "skipped_by_source": getattr(source, "dropped", 0),
        "shown_fps": round((len(shown_at) - 1) / span, 2) if span > 0 else 0.0,
        "age_ms": {
            "median": round(float(np.median(age_ms)), 2) if len(age_ms) else None,
            "p95": round(float(np.percentile(age_ms, 95)), 2) if len(age_ms) else None,
            "max": round(float(age_ms.max()), 2) if len(age_ms) else None,
            # Growing lag shows as a last quarter much older than the first.
            "first_quarter_median": round(float(np.median(age_ms[:quarter])), 2) if len(age_ms) else None,
            "last_quarter_median": round(float(np.median(age_ms[-quarter:])), 2) if len(age_ms) else None,
        },
        "warmup_age_ms_max": round(max(warm) * 1e3, 2) if warm else None,
        "messages": messages,
    }


def print_source_bench(spec: str, frames: int, device: str, as_json: bool, model: str = "lenet5") -> int:
    """`cnn-viz bench --source SPEC`: run the benchmark and print it (JSON or a line)."""
    report = run_source_bench(spec, frames, device, model)
    if as_json:
        print(json.dumps(report))
    else:
        age = report["age_ms"]
        print(
            f"{report['source']} -> {report['model']} on {report['device']}: frame age median {age['median']} ms, "
            f"p95 {age['p95']} ms; {report['shown_fps']} frames/s shown; {report['dropped']} of {report['captured']} captured frames dropped"
        )
    return 0
