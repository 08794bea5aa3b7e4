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


def bench_window(model: str = "lenet5", device: str = "auto", frames: int = 600, rate: float = 120.0, panel: str | None = None) -> dict:
    """Draw digits on the real window at ``rate`` pointer events per second; time every shown frame.

    ``panel`` (an insight panel's extra key, e.g. "augment"): the side tab switches between the
    layer picker and that panel every second, and the frames computed with and without the
    panel's extra are reported apart, with the ratio of their medians.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    from viz_app.app.session import Session, make_application
    from viz_app.sources.scripted import scaled_strokes

    from viz_app.ui.main_window import MainWindow

    keys = [cls.extra_key for cls, _ in MainWindow.INSIGHT_PANELS]
    if panel is not None and panel not in keys:  # refused before a window and a model thread exist
        raise ValueError(f"no panel {panel!r}; known: {', '.join(keys)}")
    app = make_application()
    session = Session(model, device, sync_timing=True)
    window = session.window
    try:
        shown_panel = next((p for p in window.insight_panels if p.extra_key == panel), None)

        window.resize(1400, 860)
        window.show()
        loop = QEventLoop()
        info: dict = {}

        def on_loaded(model_info) -> None:
            info["model"] = model_info
            loop.quit()

        window.model_shown.connect(on_loaded)  # emitted on this thread, once the loop runs: no race with the load
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
                            "to_gui": (t_shown - result.t_done) * 1e3 - window.gui_ms, **vars(result.timings),
                            "panel": panel is not None and panel in result.extras, "shown": t_shown})
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

        def toggle_panel() -> None:
            on = window.side.currentWidget() is not shown_panel
            window.side.setCurrentWidget(shown_panel if on else window.layer_picker)

        toggler = QTimer(interval=1000, timeout=toggle_panel)
        if shown_panel is not None:
            toggler.start()
        started = time.perf_counter()
        timer.start()
        QTimer.singleShot(max(30_000, int(frames / 20 * 1000)), loop.quit)
        loop.exec()
        elapsed = time.perf_counter() - started
        timer.stop()
        toggler.stop()
        paints = []
        for _ in range(50):  # Qt paints dirty panels once per event-loop pass; time one full repaint
            t0 = time.perf_counter()
            window.centralWidget().repaint()
            paints.append((time.perf_counter() - t0) * 1e3)
    finally:
        session.close()
        window.close()
        app.processEvents()

    records = records[10:] if len(records) > 50 else records  # skip the warm-up frames
    for r, previous in zip(records, [None, *records[:-1]]):
        r["work"] = sum(r[k] for k in WORK_STAGES)
        # Frame interval: time since the previous shown frame, where both had the same panel state.
        r["interval"] = (r["shown"] - previous["shown"]) * 1e3 if previous and previous["panel"] is r["panel"] else None
    stages = ("preprocess", "forward", "mosaic", "transfer", "to_gui", "gui")
    split = {}
    if panel is not None:
        parts = {on: [r for r in records if r["panel"] is on] for on in (False, True)}
        for on, key in ((False, "without_panel"), (True, "with_panel")):
            intervals = [r["interval"] for r in parts[on] if r["interval"] is not None]
            split[key] = {"frames": len(parts[on]), "frame_interval_ms": _summary(intervals),
                          "latency_ms": _summary([r["latency"] for r in parts[on]]),
                          "work_ms": _summary([r["work"] for r in parts[on]]),
                          "stages_ms": {k: _summary([r[k] for r in parts[on]]) for k in stages}}
        base, shown = split["without_panel"], split["with_panel"]
        if base["frames"] and shown["frames"]:
            split["frame_interval_ratio"] = round(shown["frame_interval_ms"]["median"] / base["frame_interval_ms"]["median"], 3)
            split["latency_ratio"] = round(shown["latency_ms"]["median"] / base["latency_ms"]["median"], 3)
            split["work_ratio"] = round(shown["work_ms"]["median"] / base["work_ms"]["median"], 3)
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
        **({"panel": panel, **split} if panel is not None else {}),
    }


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()
