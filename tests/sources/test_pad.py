"""The drawing pad as a Source: fed by the window, delivering while started, re-delivering on start."""

from __future__ import annotations

import numpy as np

from viz_app.records.frames import Frame
from viz_app.sources.base import Source
from viz_app.sources.pad import PadSource


def _frame(seq: int, value: int = 0) -> Frame:
    return Frame(np.full((28, 28), value, np.uint8), float(seq), seq, "pad")


def test_pad_source_is_a_source_named_pad() -> None:
    pad: Source = PadSource()
    assert pad.name == "pad"


def test_frames_are_passed_on_only_while_started() -> None:
    pad = PadSource()
    got: list[Frame] = []
    pad.feed(_frame(1))  # drawn before anyone listens: remembered, not delivered
    assert pad.current is not None and pad.current.seq == 1 and not pad.running
    pad.start(got.append, lambda message: None)
    assert [f.seq for f in got] == [1]  # the current drawing, re-delivered on start
    pad.feed(_frame(2))
    assert [f.seq for f in got] == [1, 2]
    pad.stop()
    pad.stop()  # idempotent
    pad.feed(_frame(3))
    assert [f.seq for f in got] == [1, 2] and pad.current.seq == 3


def test_start_redelivers_the_current_drawing_stamped_now() -> None:
    pad = PadSource(_frame(5, 255))
    got: list[Frame] = []
    pad.start(got.append, lambda message: None)
    assert len(got) == 1 and got[0].seq == 5 and got[0].image.max() == 255
    assert got[0].t_event > 5.0  # a new input event: its latency counts from now


def test_a_pad_never_drawn_on_delivers_nothing_on_start() -> None:
    got: list[Frame] = []
    PadSource().start(got.append, lambda message: None)
    assert got == []
