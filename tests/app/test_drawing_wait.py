"""A model whose threads take every core starts a frame only once the window has drawn the
last one (``models.device.waits_for_drawing``): the window says so after each result's paint
events, and a window that does not answer holds the frames back for ``DRAWING_WAIT_MS`` only."""

from __future__ import annotations

from viz_app.app import worker as worker_module


def _stroke(qtbot, pad, points: int, pause_ms: int = 0) -> None:  # noqa: ANN001
    pad.stroke_begin(140, 40)
    for i in range(points):
        pad.stroke_to(140 + (i % 3), 40 + 10 * i)
        qtbot.wait(pause_ms)  # the event loop runs between pointer events, as under a mouse
    pad.stroke_end()


def test_the_window_answers_each_result_after_drawing_it_and_ends_on_the_last_input(qtbot, monkeypatch, lenet_session) -> None:
    worker, window = lenet_session.inference.worker, lenet_session.window
    monkeypatch.setattr(worker_module, "waits_for_drawing", lambda *_args: True)
    monkeypatch.setattr(worker_module, "DRAWING_WAIT_MS", 60_000)  # only the window's answer lets a frame in
    qtbot.wait(200)  # the window's first frame and its answer have gone
    events: list[str] = []
    seqs: list[int] = []
    window.result_shown.connect(lambda result, _t: (events.append("shown"), seqs.append(result.seq)))
    drawn = worker.drawn
    monkeypatch.setattr(worker, "drawn", lambda: (events.append("drawn"), drawn()))
    _stroke(qtbot, window.pad, 20, pause_ms=8)
    qtbot.waitUntil(lambda: bool(seqs) and seqs[-1] == window.pad.seq, timeout=10_000)
    qtbot.waitUntil(lambda: not worker._frames.held, timeout=5_000)
    shown = events.count("shown")
    assert shown >= 5  # frames all along the stroke
    assert events.count("drawn") == shown and events[0] == "shown"
    assert all(a != b for a, b in zip(events, events[1:]))  # drawn, then the next frame: never two shown in a row


def test_a_window_that_does_not_answer_holds_the_frames_back_only_for_a_moment(qtbot, monkeypatch, lenet_session) -> None:
    worker, window = lenet_session.inference.worker, lenet_session.window
    monkeypatch.setattr(worker_module, "waits_for_drawing", lambda *_args: True)
    monkeypatch.setattr(worker_module, "DRAWING_WAIT_MS", 300)
    monkeypatch.setattr(worker, "drawn", lambda: None)  # the answer never comes
    seqs: list[int] = []
    window.result_shown.connect(lambda result, _t: seqs.append(result.seq))
    processed = worker.processed
    with qtbot.waitSignal(window.result_shown, timeout=10_000):
        _stroke(qtbot, window.pad, 1)
    _stroke(qtbot, window.pad, 5)  # arrives while held
    qtbot.wait(150)
    assert worker.processed == processed + 1 and worker._frames.held
    qtbot.waitUntil(lambda: bool(seqs) and seqs[-1] == window.pad.seq, timeout=5_000)
    assert worker.processed == processed + 2  # the newest input, once the hold ran out
