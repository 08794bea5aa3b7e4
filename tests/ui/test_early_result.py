"""Every result carries the model it was made with: a new model's first frame that reaches the
window before the worker's word on that model is shown with its model at once (a still picture
would otherwise keep the old model's answer), and the late word changes nothing."""

from __future__ import annotations

import dataclasses


def test_a_first_frame_that_comes_before_its_model_is_shown_with_its_model(qtbot, lenet_session) -> None:
    window = lenet_session.window
    shown = []
    models = []
    window.result_shown.connect(lambda result, _t: shown.append(result))
    window.model_shown.connect(models.append)
    window.pad.stroke_begin(40.0, 40.0)
    window.pad.stroke_to(60.0, 90.0)
    qtbot.waitUntil(lambda: bool(shown), timeout=15_000)
    assert lenet_session.inference.stop()  # no more frames of its own: the test sends them
    last = shown[-1]
    assert last.info == window.model and last.generation >= 1
    other = dataclasses.replace(window.model, name="other", title="Other")
    early = dataclasses.replace(last, model="other", info=other, seq=last.seq + 1)
    window.show_result(early)
    assert shown[-1] is early and window.model == other and models[-1] == other  # shown with its model
    window.show_model(other)  # the worker's word on it, late: nothing changes
    assert models[-1] == other and models.count(other) == 1
    window.show_result(dataclasses.replace(last, seq=last.seq + 2))  # a frame of the first model again
    assert window.model == last.info and shown[-1].seq == last.seq + 2
