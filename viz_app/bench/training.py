"""`cnn-viz bench train`: LeNet-5 learning in the window while the pad is drawn on, timed.

The real window (offscreen) with LeNet-5 shown; a scripted pen draws digits at ``rate`` events
per second throughout. First ``baseline_s`` seconds of drawing without training, then Start on
the Train tab (random weights, Adam, batch 64) and ``seconds`` more of drawing while the child
process trains. Reported: the seconds from Start to each held-out accuracy (1,000 test digits,
the child's start and MNIST's reading included), the whole test set's accuracy at 30 s and at the
end (the weights saved, then scored on the 10,000 digits by the child), how often new weights
reached the model shown, and the pad's latency (input event to panels) without and with training.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from viz_app.bench.screen import offscreen_1080p
from viz_app.bench.sketch import FrameAggregate, Quantiles
from viz_app.bench.window import _Run, _stroke_feeder, _wait_for_model  # the window bench's own pen
from viz_app.state.options import RunOptions

if TYPE_CHECKING:
    from viz_app.app.session import Session

MARKS = (0.90, 0.95, 0.97, 0.98, 0.985)
CHECK_AT_S = 30.0  # the whole test set is scored at this many seconds after Start, and at the end
MIN_SECONDS = CHECK_AT_S + 5


def run_train_bench(args: argparse.Namespace) -> int:
    seconds = float(getattr(args, "seconds", None) or 180.0)
    if seconds < MIN_SECONDS:
        print(f"cnn-viz bench train: --seconds must be at least {MIN_SECONDS:g} (the test set is scored at {CHECK_AT_S:g} s)", file=sys.stderr)
        return 2
    report = bench_training(seconds, args.rate)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"LeNet-5 from random weights in the window, the pad drawn on at {args.rate:g} events/s, on {report['device']}:")
        marks = ", ".join(f"{m} at {'-' if s is None else f'{s:.1f} s'}" for m, s in report["seconds_to"].items())
        print(f"held-out accuracy (1,000 test digits) reached, seconds after Start: {marks}")
        for point in report["test_set"]:
            print(f"test set (10,000 digits) at {point['seconds']:.1f} s after Start: {point['accuracy']:.2%} "
                  f"({point['errors']} errors, step {point['step']:,})")  # fmt: skip
        print(f"new weights in the model shown: {report['weights_per_s']['median']:.1f} per second (median of each second while training)")
        for key in ("without_training", "while_training"):
            part = report[key]
            print(f"pad latency {key.replace('_', ' ')}: {part['frames']} frames, median {part['latency_ms']['median']:.2f} ms, "
                  f"p95 {part['latency_ms']['p95']:.2f} ms")  # fmt: skip
    if report["error"]:
        print(f"cnn-viz bench train: {report['error']}", file=sys.stderr)
        return 1
    if report["while_training"]["frames"] < 100 or len(report["test_set"]) < 2:
        print("cnn-viz bench train: too few frames or test-set scores: the figures measure nothing", file=sys.stderr)
        return 1
    return 0


def bench_training(seconds: float = 180.0, rate: float = 120.0, baseline_s: float = 10.0) -> dict[str, Any]:
    """Draw on the real window for ``baseline_s``, then train LeNet-5 for ``seconds`` while drawing."""
    from viz_app.app.session import Session, make_application

    screen_config = offscreen_1080p()
    app = make_application()
    if screen_config is not None:
        screen_config.unlink()
    session = Session("lenet5", RunOptions("cpu", sync_timing=True))
    session.training.folder = Path(tempfile.mkdtemp(prefix="cnn-viz-train-bench-"))
    try:
        session.window.resize(1400, 860)
        session.window.show()
        info = _wait_for_model(session.window, "lenet5")
        run = _TrainRun(session, seconds)
        run.drive(rate, baseline_s)
    finally:
        session.close()
        session.window.close()
        app.processEvents()
    return {"model": "lenet5", "device": info.device, "seconds": seconds, **run.report()}


class _TrainRun:
    """One run: the pen throughout, Start after the baseline, the figures as they come."""

    def __init__(self, session: Session, seconds: float) -> None:
        self.session, self.seconds = session, seconds
        self.panel = session.window.train_panel
        self.latencies = {"without_training": Quantiles(), "while_training": Quantiles()}
        self.phase = "without_training"
        self.last_seq: int | None = None
        self.started: float | None = None
        self.error: str | None = None
        self.reached: dict[str, float | None] = {_mark(m): None for m in MARKS}
        self.test_set: list[dict[str, Any]] = []
        self.revisions: list[tuple[float, int]] = []  # (seconds after Start, the view's weights revision)

    def drive(self, rate: float, baseline_s: float) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        window = self.session.window
        window.side.setCurrentWidget(self.panel)
        self.loop = QEventLoop()
        pen_run = _Run(FrameAggregate((), (), (), 0))  # the pen counts its events here
        window.result_shown.connect(self.on_shown)
        pen = QTimer(interval=max(1, round(1000 / rate)), timeout=_stroke_feeder(window, pen_run))
        watcher = QTimer(interval=50, timeout=self.watch)
        pen.start()
        watcher.start()
        QTimer.singleShot(int(baseline_s * 1000), self.begin)
        QTimer.singleShot(int((baseline_s + CHECK_AT_S) * 1000), self.check)
        self.loop.exec()
        pen.stop()
        watcher.stop()
        window.result_shown.disconnect(self.on_shown)
        if self.error is None:
            self.test_set.append(_score_test_set(self.session, self.session.training.folder / "at-end.pt", self.started))

    def on_shown(self, result: Any, t_shown: float) -> None:
        if result.seq == self.last_seq:
            return  # the same drawing again, with new weights: not a pen event's answer
        self.last_seq = result.seq
        self.latencies[self.phase].add((t_shown - result.t_event) * 1e3)

    def begin(self) -> None:
        from viz_app.records.training import LiveSettings

        self.phase, self.started = "while_training", time.perf_counter()
        self.session.training.begin("random", LiveSettings(), "run")

    def check(self) -> None:
        self.test_set.append(_score_test_set(self.session, self.session.training.folder / "at-30s.pt", self.started))
        self.session.training.resume()  # on again (saving pauses)

    def watch(self) -> None:
        if self.started is None:
            return
        now = time.perf_counter() - self.started
        self.revisions.append((now, self.session.view.state.model.revision))
        if self.panel.points:
            held = self.panel.points[-1][1]
            for mark in MARKS:
                if held >= mark and self.reached[_mark(mark)] is None:
                    self.reached[_mark(mark)] = round(now, 1)
        if self.session.training.job is None:  # the run could not start or went on no further: why
            self.error = self.panel.figures.text()
            self.loop.quit()
        if now >= self.seconds:
            self.loop.quit()

    def report(self) -> dict[str, Any]:
        return {
            "seconds_to": self.reached,
            "test_set": self.test_set,
            "held_out_curve": [{"training_seconds": round(s, 2), "accuracy": a} for s, a in self.panel.points],
            "weights_per_s": _per_second(self.revisions),
            **{key: {"frames": q.count, "latency_ms": q.summary()} for key, q in self.latencies.items()},
            "error": self.error,
        }


def _mark(mark: float) -> str:
    return f"{mark:.1%}".replace(".0%", "%")


def _score_test_set(session: Session, path: Path, started: float | None) -> dict[str, Any]:
    """Save the weights being trained (the child scores them on the 10,000 test digits) and read their card."""
    from PySide6.QtCore import QEventLoop, QTimer

    at = time.perf_counter() - (started or time.perf_counter())
    step = session.window.train_panel.steps[-1].step if session.window.train_panel.steps else 0
    session.training.save_to(path)
    card = path.with_suffix(".json")
    deadline = time.perf_counter() + 60
    while not card.exists() and time.perf_counter() < deadline:
        loop = QEventLoop()
        QTimer.singleShot(50, loop.quit)
        loop.exec()
    if not card.exists():
        return {"seconds": round(at, 1), "step": step, "accuracy": float("nan"), "errors": -1}
    data = json.loads(card.read_text())
    return {"seconds": round(at, 1), "step": data["recipe"]["steps"], "accuracy": data["test_accuracy"], "errors": data["test_errors"]}


def _per_second(revisions: list[tuple[float, int]]) -> dict[str, float]:
    """Median and lowest number of weight revisions per whole second of the run."""
    per: dict[int, list[int]] = {}
    for t, revision in revisions:
        per.setdefault(int(t), []).append(revision)
    counts = [max(v) - min(v) for k, v in sorted(per.items()) if k > 5 and len(v) > 10]  # after the child's start
    if not counts:
        return {"median": 0.0, "min": 0.0}
    counts.sort()
    return {"median": float(counts[len(counts) // 2]), "min": float(counts[0])}
