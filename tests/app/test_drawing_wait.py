"""A model whose threads take every core starts a frame only once the window has drawn the
last one (``models.device.waits_for_drawing``): the window says so after each result's paint
events, and a window that does not answer holds the frames back for ``DRAWING_WAIT_MS`` only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject
from worker_queue import drain

from viz_app.app import worker as worker_module


class _Paints(QObject):
    """Notes each paint event of the widget it watches in ``events``."""

    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.events.append("paint")
        return False


def _stroke(qtbot, pad, points: int, pause_ms: int = 0) -> None:  # noqa: ANN001
    pad.stroke_begin(140, 40)
    for i in range(points):
        pad.stroke_to(140 + (i % 3), 40 + 10 * i)
        qtbot.wait(pause_ms)  # the event loop runs between pointer events, as under a mouse
    pad.stroke_end()


def _settled(qtbot, worker) -> None:  # noqa: ANN001
    """Wait until the worker has answered everything and takes no more frames."""
    qtbot.waitUntil(lambda: not worker._frames.held, timeout=30_000)
    drain(qtbot, worker)
    qtbot.waitUntil(lambda: not worker._frames.held, timeout=30_000)


def test_the_window_answers_each_result_after_painting_it_and_ends_on_the_last_input(qtbot, monkeypatch, lenet_session) -> None:
    worker, window = lenet_session.inference.worker, lenet_session.window
    monkeypatch.setattr(worker_module, "waits_for_drawing", lambda *_args: True)
    monkeypatch.setattr(worker_module, "DRAWING_WAIT_MS", 60_000)  # only the window's answer lets a frame in
    _settled(qtbot, worker)
    events: list[str] = []
    seqs: list[int] = []
    paints = _Paints(events)
    window.maps.viewport().installEventFilter(paints)
    window.result_shown.connect(lambda result, _t: (events.append("shown"), seqs.append(result.seq)))
    drawn = worker.drawn
    monkeypatch.setattr(worker, "drawn", lambda: (events.append("drawn"), drawn()))
    _stroke(qtbot, window.pad, 20, pause_ms=8)
    qtbot.waitUntil(lambda: bool(seqs) and seqs[-1] == window.pad.seq, timeout=10_000)
    qtbot.waitUntil(lambda: not worker._frames.held, timeout=20_000)
    window.maps.viewport().removeEventFilter(paints)
    answers = [e for e in events if e != "paint"]
    assert answers.count("shown") >= 2  # frames along the stroke (how many depends on the machine's speed)
    assert answers == ["shown", "drawn"] * answers.count("shown")  # the next frame only after the answer
    between = "".join("s" if e == "shown" else "d" if e == "drawn" else "p" for e in events)
    parts = between.split("d")[:-1]  # what came before each answer, since the last one
    assert all("s" in part and part.rfind("p") > part.index("s") for part in parts)  # shown, painted, then answered


@pytest.mark.slow
def test_a_window_that_does_not_answer_holds_the_frames_back_only_for_a_while(qtbot, monkeypatch, lenet_session) -> None:
    worker, window = lenet_session.inference.worker, lenet_session.window
    monkeypatch.setattr(worker_module, "waits_for_drawing", lambda *_args: True)
    monkeypatch.setattr(worker_module, "DRAWING_WAIT_MS", 4_000)
    monkeypatch.setattr(worker, "drawn", lambda: None)  # the answer never comes
    _settled(qtbot, worker)
    seqs: list[int] = []
    window.result_shown.connect(lambda result, _t: seqs.append(result.seq))
    processed = worker.processed
    with qtbot.waitSignal(window.result_shown, timeout=10_000):
        _stroke(qtbot, window.pad, 1)
    _stroke(qtbot, window.pad, 5)  # arrives while held
    drain(qtbot, worker, rounds=1)  # the worker's loop runs; only its deliveries are held
    assert worker.processed == processed + 1 and worker._frames.held
    qtbot.waitUntil(lambda: bool(seqs) and seqs[-1] == window.pad.seq, timeout=10_000)
    assert worker.processed == processed + 2  # the newest input, once the hold ran out
