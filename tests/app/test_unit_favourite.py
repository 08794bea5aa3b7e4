"""The unit tab in the real window: top digits for a clicked unit, its favourite input computed
in a child process while the frames keep flowing, and nothing left on the live model."""

from __future__ import annotations

import statistics
import time

import pytest
from PySide6.QtCore import QTimer

from viz_app.probe.hooks import count_hooks
from viz_app.records.frames import Frame


@pytest.mark.slow
def test_frames_keep_flowing_while_the_favourite_input_is_computed(lenet_session, mnist_test, qtbot) -> None:
    session = lenet_session
    window, worker = session.window, session.inference.worker
    panel = window.panel("unit")
    shown: list[tuple[float, float]] = []  # (when shown, latency in ms)
    window.result_shown.connect(lambda r, t: shown.append((t, (t - r.t_event) * 1e3)))
    digits = iter(range(10_000))
    feeder = QTimer(interval=25, timeout=lambda: worker.submit(Frame(mnist_test.images[next(digits)], time.perf_counter())))
    window.maps.unit_clicked.emit("c3", 3)
    feeder.start()
    qtbot.waitUntil(lambda: panel.learned.top is not None, timeout=20_000)
    assert [tile.pixmap().isNull() for tile in panel.learned.tiles] == [False] * 9
    qtbot.wait(1500)
    before = len(shown)
    hooks = count_hooks(worker.pipeline.loaded.model)
    started = time.perf_counter()
    panel.request_favourite()
    assert panel.runner.busy
    qtbot.waitUntil(lambda: not panel.runner.busy, timeout=60_000)
    during = [latency for t, latency in shown[before:] if t <= time.perf_counter()]
    assert len(during) >= 5, "frames stalled while the favourite input was computed"
    assert not panel.learned.dream.pixmap().isNull()
    assert "x its best digit" in panel.learned.dream_caption.text()
    qtbot.wait(1500)
    feeder.stop()
    alone = [latency for _, latency in shown[len(shown) - 20 :]]
    print(f"favourite {time.perf_counter() - started:.1f} s; frame latency median {statistics.median(alone):.1f} ms alone, "
          f"{statistics.median(during):.1f} ms during ({len(during)} frames)")  # fmt: skip
    live = worker.pipeline.loaded.model
    assert all(p.grad is None and not p.requires_grad for p in live.parameters())
    assert count_hooks(live) == hooks  # the probe's own, no more
    # Asked again for the same unit: the cached answer, at once.
    with qtbot.waitSignal(panel.runner.ready, timeout=20_000):
        panel.request_favourite()


def test_warming_a_runner_that_is_closed_meanwhile_ends_its_thread_quietly(qapp, monkeypatch) -> None:
    import threading

    from viz_app.app.favourite import FavouriteRunner

    uncaught: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", uncaught.append)
    runner = FavouriteRunner()
    runner.close()  # the window closed before the child was started
    runner.warm()
    starters = [t for t in threading.enumerate() if t.name == "favourite-start"]
    for thread in starters:
        thread.join(10)
    assert not any(t.is_alive() for t in starters)
    assert uncaught == [] and runner.process.pid is None
