"""`cnn-viz bench`: the live window, headless, driven by a scripted stroke, timed stage by stage."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def _summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "p95": round(_percentile(values, 95), 3)} if values else {}


def run_bench(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    report = bench_window(args.bench_model, args.bench_device, args.frames, args.rate)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        lat = report["latency_ms"]
        print(f"{report['model']} on {report['device']}: {report['updates_per_s']:.1f} updates/s, "
              f"latency median {lat['median']:.2f} ms, p95 {lat['p95']:.2f} ms (input event -> panels updated)")
        print("stages (median ms): " + ", ".join(f"{k} {v['median']:.3f}" for k, v in report["stages_ms"].items()))
    return 0


def bench_window(model: str = "lenet5", device: str = "auto", frames: int = 600, rate: float = 120.0) -> dict:
    """Draw digits on the real window at ``rate`` pointer events per second; time every shown frame."""
    from PySide6.QtCore import QEventLoop, QTimer

    from viz_app.app import Session, make_application
    from viz_app.sources.scripted import scaled_strokes

    app = make_application()
    session = Session(model, device, sync_timing=True)
    window = session.window
    window.resize(1400, 860)
    window.show()
    loop = QEventLoop()
    info: dict = {}

    def on_loaded(model_info) -> None:
        info["model"] = model_info
        loop.quit()

    session.inference.worker.model_loaded.connect(on_loaded)
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    if "model" not in info:
        raise RuntimeError(f"model {model} did not load within 60 s")

    side = window.pad.canvas.size
    events = [(d, i, p) for d in range(10) for i, s in enumerate(scaled_strokes(d, side)) for p in s]
    records: list[dict] = []
    state = {"next": 0, "started": 0.0, "last_digit": None}

    def on_shown(result, t_shown: float) -> None:
        records.append({"latency": (t_shown - result.t_event) * 1e3, "gui": window.gui_ms,
                        "to_gui": (t_shown - result.t_done) * 1e3 - window.gui_ms, **vars(result.timings)})
        if len(records) >= frames:
            loop.quit()

    def feed() -> None:
        digit, stroke, point = events[state["next"] % len(events)]
        if digit != state["last_digit"]:
            window.pad.clear()
            state["last_digit"] = digit
        previous = events[(state["next"] - 1) % len(events)]
        if previous[:2] != (digit, stroke) or state["next"] == 0:
            window.pad.stroke_begin(*point)
        else:
            window.pad.stroke_to(*point)
        state["next"] += 1

    window.result_shown.connect(on_shown)
    timer = QTimer(interval=max(1, round(1000 / rate)), timeout=feed)
    started = time.perf_counter()
    timer.start()
    QTimer.singleShot(max(30_000, int(frames / 20 * 1000)), loop.quit)
    loop.exec()
    elapsed = time.perf_counter() - started
    timer.stop()
    paints = []
    for _ in range(50):  # Qt paints dirty panels once per event-loop pass; time one full repaint
        t0 = time.perf_counter()
        window.centralWidget().repaint()
        paints.append((time.perf_counter() - t0) * 1e3)
    session.close()
    window.close()
    app.processEvents()

    records = records[10:] if len(records) > 50 else records  # skip the warm-up frames
    stages = ("preprocess", "forward", "mosaic", "transfer", "to_gui", "gui")
    return {
        "model": model,
        "device": info["model"].device,
        "frames_shown": len(records),
        "input_events": state["next"],
        "input_rate_hz": rate,
        "updates_per_s": round(len(records) / elapsed, 1) if elapsed else 0.0,
        "latency_ms": _summary([r["latency"] for r in records]),
        "stages_ms": {k: _summary([r[k] for r in records]) for k in stages},
        "full_repaint_ms": _summary(paints),
        "torch_threads": _torch_threads(),
    }


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()
