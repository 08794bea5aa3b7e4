"""`cnn-viz bench arithmetic`: from a click on a map to the Arithmetic tab showing that unit.

The real window (offscreen) with a digit on the pad and the Arithmetic tab in view; each round
selects another channel of another layer, as a click on a map does, and times until the window
has shown that unit's arithmetic (the request, the extra's build, the next frame's forward and
the sums, the drawing). Reported: the median and p95 over the rounds, per model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from viz_app.bench.screen import offscreen_1080p
from viz_app.bench.sketch import summarise
from viz_app.bench.window import _wait_for_model
from viz_app.state.options import RunOptions

GOALS_MS = {"lenet5": 100.0, "imagenet_resnet50": 300.0}  # the goals, click to first view


def run_arithmetic_bench(args: argparse.Namespace) -> int:
    rounds = args.runs or 20
    report = bench_arithmetic(args.model, args.device, rounds)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        ms = report["click_to_view_ms"]
        goal = GOALS_MS.get(args.model)
        print(f"{report['model']} on {report['device']}: {report['shown']} of {rounds} clicks shown, click to first view median "
              f"{ms['median']:.1f} ms, p95 {ms['p95']:.1f} ms" + (f" (goal: at most {goal:g} ms)" if goal else ""))  # fmt: skip
    if report["shown"] < rounds:
        print(f"cnn-viz bench arithmetic: only {report['shown']} of {rounds} clicks were answered within 10 s", file=sys.stderr)
        return 1
    return 0


def bench_arithmetic(model: str, device: str, rounds: int) -> dict[str, Any]:
    """Select ``rounds`` units one after the other, each in the next layer shown (up to 4 channels of
    each: every round asks for another unit); time each to its view."""
    from PySide6.QtCore import QEventLoop, QTimer

    from viz_app.app.session import Session, make_application
    from viz_app.sources.scripted import draw_on

    screen_config = offscreen_1080p()
    app = make_application()
    if screen_config is not None:
        screen_config.unlink()
    session = Session(model, RunOptions(device))
    window = session.window
    times: list[float] = []
    try:
        window.resize(1400, 860)
        window.show()
        info = _wait_for_model(window, model)
        draw_on(window.pad, 3)
        panel = window.panel("arithmetic")
        window.side.setCurrentWidget(panel)
        deadline = time.perf_counter() + 30
        while not window.maps.layer_names and time.perf_counter() < deadline:  # the maps come with the drawing's first frame
            waiting = QEventLoop()
            QTimer.singleShot(20, waiting.quit)
            waiting.exec()
        layers = [name for name in window.maps.layer_names if name != "output"] or list(window.maps.layer_names)
        if not layers:
            raise RuntimeError(f"{model} showed no feature map within 30 s")
        for i in range(rounds):
            layer, index = layers[i % len(layers)], i // len(layers) % 4  # every round another (layer, channel)
            shown = _click_to_view(window, panel, layer, index)
            if shown is not None:
                times.append(shown)
    finally:
        session.close()
        window.close()
        app.processEvents()
    return {"model": model, "device": info.device, "rounds": rounds, "shown": len(times), "click_to_view_ms": summarise(times),
            "each_ms": [round(t, 1) for t in times]}  # fmt: skip


def _click_to_view(window: Any, panel: Any, layer: str, index: int) -> float | None:
    """Milliseconds from selecting channel ``index`` of ``layer`` to the window showing its arithmetic (None: not in 10 s)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    seen: dict[str, float] = {}

    def on_shown(result: Any, t_shown: float) -> None:
        record = result.extras.get("arithmetic")
        if record is not None and record.layer.startswith(layer) and "t" not in seen:
            seen["t"] = t_shown
            loop.quit()

    window.result_shown.connect(on_shown)
    limit = QTimer(singleShot=True, interval=10_000, timeout=loop.quit)
    limit.start()
    clicked = time.perf_counter()
    panel.select(layer, index)
    loop.exec()
    limit.stop()
    window.result_shown.disconnect(on_shown)
    return (seen["t"] - clicked) * 1e3 if "t" in seen else None
