"""Each applied request runs the last frame once, never in place of newer input."""

from __future__ import annotations

import time

import numpy as np
import pytest

from viz_app.app.last_frame import LastFrame
from viz_app.app.threads import LatestMailbox
from viz_app.records.frames import Frame

INK = Frame(np.zeros((28, 28), np.uint8), 0.0, seq=7)


@pytest.fixture
def wired(qapp):
    """A LastFrame in this thread, its mailbox and what the mailbox delivered."""
    mailbox = LatestMailbox()
    delivered: list[Frame] = []
    mailbox.arrived.connect(delivered.append)
    last = LastFrame(mailbox)
    yield last, mailbox, delivered
    last.cancel()
    mailbox.close()


def test_nothing_runs_before_a_frame_was_seen(qtbot, wired) -> None:
    last, _mailbox, delivered = wired
    last.rerun()
    qtbot.wait(20)  # a posted delivery in this thread would have come
    assert delivered == []


def test_a_rerun_sends_the_last_frame_again(qtbot, wired) -> None:
    last, _mailbox, delivered = wired
    last.seen(INK)
    asked = time.perf_counter()
    last.rerun()
    qtbot.waitUntil(lambda: len(delivered) == 1, timeout=20_000)
    again = delivered[0]
    assert np.array_equal(again.image, INK.image) and again.seq == INK.seq
    assert again.t_event >= asked  # it answers the change made now: its latency counts from the rerun, not the old stroke


def test_newer_input_waiting_is_not_replaced(qtbot, wired) -> None:
    last, mailbox, delivered = wired
    last.seen(INK)
    newer = Frame(INK.image, 1.0, seq=8)
    mailbox.put(newer)
    last.rerun()  # must not replace the newer frame waiting in the mailbox
    qtbot.waitUntil(lambda: bool(delivered), timeout=20_000)
    assert delivered == [newer]


def test_after_cancel_nothing_runs_again(qtbot, wired) -> None:
    last, _mailbox, delivered = wired
    last.seen(INK)
    last.cancel()
    last.rerun()
    qtbot.wait(20)
    assert delivered == []
