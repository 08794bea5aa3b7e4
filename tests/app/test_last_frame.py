"""After a model switch the last frame runs once the window has caught up with the new model;
after a setting, at once; never in place of newer input."""

from __future__ import annotations

import time

import numpy as np
import pytest

from viz_app.app import last_frame
from viz_app.app.last_frame import LastFrame
from viz_app.app.threads import LatestMailbox
from viz_app.records.frames import Frame, ModelInfo

INK = Frame(np.zeros((28, 28), np.uint8), 0.0, seq=7)


def _info(name: str) -> ModelInfo:
    return ModelInfo(name, name, "MNIST", "cpu", tuple("0123456789"), (32, 32), 1, "shipped", True)


@pytest.fixture
def wired(qapp):
    """A LastFrame in this thread that follows a window, its mailbox and what the mailbox delivered."""
    mailbox = LatestMailbox()
    delivered: list[Frame] = []
    mailbox.arrived.connect(delivered.append)
    last = LastFrame(mailbox)
    last.follows_window = True
    last.seen(INK)
    yield last, mailbox, delivered
    last.cancel()
    mailbox.close()


def test_a_switch_runs_the_last_frame_when_the_window_has_caught_up_and_not_before(qtbot, wired) -> None:
    last, _mailbox, delivered = wired
    last.switched(_info("lenet5"))
    last.rerun()  # the window's requests for the new model: no frame of their own
    last.rerun()
    qtbot.wait(20)  # posted deliveries in this thread would have come
    assert delivered == []
    last.caught_up(_info("lenet5"))
    qtbot.waitUntil(lambda: len(delivered) == 1, timeout=20_000)
    assert delivered == [INK]
    last.rerun()  # after the switch a setting runs it again at once
    qtbot.waitUntil(lambda: len(delivered) == 2, timeout=20_000)


def test_an_answer_about_a_model_switched_away_from_is_ignored(qtbot, wired) -> None:
    last, _mailbox, delivered = wired
    last.switched(_info("lenet5"))
    last.switched(_info("vgg"))
    last.caught_up(_info("lenet5"))
    qtbot.wait(20)
    assert delivered == []
    last.caught_up(_info("vgg"))
    qtbot.waitUntil(lambda: delivered == [INK], timeout=20_000)


def test_a_window_that_never_answers_gets_the_frame_after_the_catch_up_time(qtbot, wired) -> None:
    last, _mailbox, delivered = wired
    last._timer.setInterval(50)  # CATCH_UP_MS is 2 s
    started = time.perf_counter()
    last.switched(_info("lenet5"))
    qtbot.waitUntil(lambda: delivered == [INK], timeout=10_000)
    assert time.perf_counter() - started >= 0.05 and last_frame.CATCH_UP_MS == 2000


def test_without_a_window_a_switch_runs_the_frame_at_once_and_newer_input_is_not_replaced(qtbot, wired) -> None:
    last, mailbox, delivered = wired
    last.follows_window = False
    newer = Frame(INK.image, 1.0, seq=8)
    mailbox.put(newer)
    last.switched(_info("lenet5"))  # must not replace the newer frame waiting in the mailbox
    qtbot.waitUntil(lambda: bool(delivered), timeout=20_000)
    assert delivered[0] is newer
