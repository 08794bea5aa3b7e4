"""The app's two cross-thread tools: the latest-wins mailbox and the off-thread runner."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from viz_app.app.threads import LatestMailbox, OffThread


def test_mailbox_delivers_only_the_newest_item_in_its_own_thread(qtbot) -> None:
    mailbox = LatestMailbox()
    got: list[tuple[object, bool]] = []
    mailbox.arrived.connect(lambda item: got.append((item, QThread.currentThread() is mailbox.thread())))
    putter = threading.Thread(target=lambda: [mailbox.put(i) for i in range(100)])
    putter.start()
    putter.join()
    qtbot.waitUntil(lambda: bool(got), timeout=2_000)
    qtbot.wait(50)
    assert got == [(99, True)]  # one delivery, the newest, in the mailbox's (GUI) thread


def test_put_without_replace_only_fills_an_empty_slot(qtbot) -> None:
    mailbox = LatestMailbox()
    got: list[object] = []
    mailbox.arrived.connect(got.append)
    assert mailbox.put("newer input")
    assert not mailbox.put("old input, re-run", replace=False)  # must not replace newer input
    qtbot.waitUntil(lambda: bool(got), timeout=2_000)
    assert mailbox.put("re-run", replace=False)  # the slot is empty again
    qtbot.waitUntil(lambda: len(got) == 2, timeout=2_000)
    assert got == ["newer input", "re-run"]


def test_close_drops_the_waiting_item_and_later_puts(qtbot) -> None:
    mailbox = LatestMailbox()
    got: list[object] = []
    mailbox.arrived.connect(got.append)
    mailbox.message.connect(got.append)
    mailbox.put("waiting")
    mailbox.close()
    assert mailbox.closed and not mailbox.put("late")
    mailbox.put_message("late message")
    qtbot.wait(50)
    assert got == []


def test_messages_are_never_dropped(qtbot) -> None:
    mailbox = LatestMailbox()
    got: list[str] = []
    mailbox.message.connect(got.append)
    worker = threading.Thread(target=lambda: [mailbox.put_message(f"m{i}") for i in range(5)])
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(got) == 5, timeout=2_000)
    assert got == [f"m{i}" for i in range(5)]


def test_off_thread_runs_elsewhere_and_reports_on_the_owners_thread(qtbot) -> None:
    runner = OffThread("test-off")
    ran_on: list[str] = []

    def work(x: int) -> int:
        ran_on.append(threading.current_thread().name)
        return x * 2

    with qtbot.waitSignal(runner.finished, timeout=5_000) as signal:
        runner.run(work, 21, context="ctx")
    assert signal.args == ["ctx", 42]
    assert ran_on and ran_on[0].startswith("test-off") and ran_on[0] != threading.current_thread().name
    delivered_on: list[bool] = []
    runner.finished.connect(lambda *_: delivered_on.append(QThread.currentThread() is runner.thread()))
    with qtbot.waitSignal(runner.finished, timeout=5_000):
        runner.run(work, 1)
    assert delivered_on == [True]
    runner.close()


def test_off_thread_reports_an_error_as_a_message(qtbot) -> None:
    runner = OffThread("test-off")

    def broken() -> None:
        raise ValueError("no such model")

    delivered_on: list[bool] = []
    runner.failed.connect(lambda *_: delivered_on.append(QThread.currentThread() is runner.thread()))
    with qtbot.waitSignal(runner.failed, timeout=5_000) as signal:
        runner.run(broken, context=7)
    assert signal.args == [7, "no such model"] and delivered_on == [True]
    runner.close()


def test_off_thread_reports_nothing_after_close(qtbot) -> None:
    runner = OffThread("test-off")
    started, release = threading.Event(), threading.Event()
    got: list[object] = []
    runner.finished.connect(lambda *args: got.append(args))
    runner.failed.connect(lambda *args: got.append(args))
    ran: list[int] = []
    runner.run(lambda: (started.set(), release.wait(5)))
    runner.run(lambda: ran.append(1))
    assert started.wait(5)
    runner.close()
    release.set()
    qtbot.wait(100)
    assert got == [] and ran == []  # the running one is not reported, the waiting one never ran
