"""Models opened and closed through the window's own inference worker, memory read after each:
`python -m viz_app.bench.leaks --worker`.

The worker loads on its thread, frees the old model there and has the GUI thread's
MemoryCollector collect and hand the freed memory back, as in the window; here a
QCoreApplication stands for the window. ``leaks`` imports this module only for --worker, so
the leak check without it still needs no Qt.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Slot

from viz_app.app import collector as collector_module
from viz_app.app import worker as worker_module
from viz_app.bench.pipeline import offline
from viz_app.memory import rss_mb
from viz_app.models import loader
from viz_app.records.frames import Frame, FrameResult
from viz_app.state.options import RunOptions
from viz_app.state.view import WorkerRequest


class _Driver(QObject):
    """Asks the worker for models; counts, in this thread, the collections, results and cost tables."""

    def __init__(self, inference: worker_module.InferenceThread, run: RunOptions, timeout_s: float) -> None:
        super().__init__()
        self.inference, self.run, self.timeout_s = inference, run, timeout_s
        self.generation = 0
        self.collected = self.results = self.costs = self.last_seq = 0
        worker = inference.worker
        self.collector = collector_module.MemoryCollector()
        worker.released.connect(self.collector.collect)
        worker.released.connect(self._on_collected)  # queued after collect: when it runs, collect has run
        worker.result_ready.connect(self._on_result)
        worker.summary_ready.connect(self._on_costs)
        self.ink = np.zeros((280, 280), np.uint8)
        self.ink[60:220, 120:160] = 255

    @Slot(str)
    def _on_collected(self, _device: str) -> None:
        self.collected += 1

    @Slot(object)
    def _on_result(self, result: FrameResult) -> None:
        self.results += 1
        self.last_seq = result.seq
        self.inference.worker.drawn()  # as the window does once it has drawn a result

    @Slot(object, object, object)
    def _on_costs(self, *_summary: object) -> None:
        self.costs += 1

    def wait(self, done: Callable[[], bool]) -> None:
        """Run this thread's events until ``done()``."""
        app, limit = QCoreApplication.instance(), time.monotonic() + self.timeout_s
        assert app is not None, "a QCoreApplication runs the worker's signals"
        while not done():
            if time.monotonic() > limit:
                raise TimeoutError("the worker did not answer in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    def show(self, name: str) -> float:
        """Open ``name`` and run one frame; the resident MB once the old model and the cost
        table's copy were freed and collected."""
        results, costs, first = self.results, self.costs, self.inference.worker.pipeline is None
        collections = self.collected + (1 if first else 2)
        self.generation += 1
        self.inference.worker.request(WorkerRequest.of_model(name, run=self.run, generation=self.generation))
        self.wait(lambda: self.costs > costs and self.collected >= collections)
        seq = results + 1_000_000  # not the seq of the last input, which the worker re-runs after a load
        self.inference.worker.submit(Frame(self.ink, time.perf_counter(), seq))
        self.wait(lambda: self.last_seq == seq)
        return rss_mb()


def cycle_in_worker(names: list[str], device: str, cycles: int, give_back: bool = True, timeout_s: float = 600.0) -> tuple[list[dict], list[dict]]:
    """Switch the worker through ``names`` ``cycles`` times, one frame each, back to LeNet-5 after
    each; like ``leaks.cycle_models``: resident memory at each cycle's end, and what each model of
    the last cycle held while shown and what stayed once LeNet-5 was shown again (in the first
    cycle, each model's cost table is also computed, on a side thread with a model of its own)."""
    loader.download_file = offline  # type: ignore[assignment]  # a measuring machine never downloads
    if not give_back:
        collector_module.release_freed_memory = lambda: gc.collect() >= 0
    if QCoreApplication.instance() is None:
        _app = QCoreApplication([])  # noqa: F841  # kept alive while the worker runs
    inference = worker_module.InferenceThread()
    driver = _Driver(inference, RunOptions(device), timeout_s)
    inference.start()
    ends: list[dict[str, Any]] = []
    closed: list[dict[str, Any]] = []
    try:
        before = driver.show("lenet5")
        for cycle in range(cycles):
            for name in (n for n in names if n != "lenet5"):  # LeNet-5 (1 MB) is shown between any two
                held = driver.show(name) - before
                after = driver.show("lenet5")
                if cycle == cycles - 1:
                    closed.append({"model": name, "held_mb": round(held, 1), "kept_mb": round(after - before, 1)})
                before = after
            ends.append({"cycle": cycle + 1, "rss_mb": round(rss_mb(), 1)})
    finally:
        inference.stop()
    return ends, closed
