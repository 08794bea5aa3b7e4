"""A new model's first frame can reach the window before the model does: it is shown once the
model is, not dropped (a still picture would otherwise keep the old model's answer)."""

from __future__ import annotations

import dataclasses


def test_a_first_frame_that_comes_before_its_model_is_shown_with_the_model(qtbot, lenet_session) -> None:
    window = lenet_session.window
    shown = []
    window.result_shown.connect(lambda result, _t: shown.append(result))
    window.pad.stroke_begin(40.0, 40.0)
    window.pad.stroke_to(60.0, 90.0)
    qtbot.waitUntil(lambda: bool(shown), timeout=15_000)
    lenet_session.inference.worker.shutdown()  # no more frames of its own: the test sends them
    last = shown[-1]
    other = dataclasses.replace(window.model, name="other")
    early = dataclasses.replace(last, model="other", seq=last.seq + 1)
    window.show_result(early)
    assert shown[-1] is last  # not the model shown: held back
    window.show_model(other)
    assert shown[-1] is early and window.model.name == "other"
    window.show_result(dataclasses.replace(last, seq=last.seq + 2))  # the old model's late frame
    window.show_model(dataclasses.replace(other, name="third"))
    assert shown[-1] is early  # a frame of another model is never shown for this one
