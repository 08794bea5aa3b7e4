"""The app's two cross-thread tools: the latest-wins mailbox and the off-thread runner."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from viz_app.app.threads import LatestMailbox, OffThread


def _watched_mailbox() -> tuple[LatestMailbox, list[object]]:
    """A mailbox in this thread and the list its deliveries go to."""
    mailbox = LatestMailbox()
    got: list[object] = []
    mailbox.arrived.connect(got.append)
    return mailbox, got


def test_mailbox_delivers_only_the_newest_item_in_its_own_thread(qtbot) -> None:
    mailbox = LatestMailbox()
    got: list[tuple[object, bool]] = []
    mailbox.arrived.connect(lambda item: got.append((item, QThread.currentThread() is mailbox.thread())))
    putter = threading.Thread(target=lambda: [mailbox.put(i) for i in range(100)])
    putter.start()
    putter.join()
    qtbot.waitUntil(lambda: bool(got), timeout=20_000)
    qtbot.wait(50)
    assert got == [(99, True)]  # one delivery, the newest, in the mailbox's (GUI) thread


def test_put_without_replace_only_fills_an_empty_slot(qtbot) -> None:
    mailbox, got = _watched_mailbox()
    assert mailbox.put("newer input")
    assert not mailbox.put("old input, re-run", replace=False)  # must not replace newer input
    qtbot.waitUntil(lambda: bool(got), timeout=20_000)
    assert mailbox.put("re-run", replace=False)  # the slot is empty again
    qtbot.waitUntil(lambda: len(got) == 2, timeout=20_000)
    assert got == ["newer input", "re-run"]


def test_close_drops_the_waiting_item_and_later_puts(qtbot) -> None:
    mailbox, got = _watched_mailbox()
    mailbox.message.connect(got.append)
    mailbox.put("waiting")
    mailbox.close()
    assert mailbox.closed and not mailbox.put("late")
    mailbox.put_message("late message")
    qtbot.wait(50)
    assert got == []


def test_a_held_mailbox_delivers_nothing_until_resumed_then_the_newest(qtbot) -> None:
    mailbox, got = _watched_mailbox()
    mailbox.hold(10_000)
    assert mailbox.held
    putter = threading.Thread(target=lambda: [mailbox.put(i) for i in range(10)])
    putter.start()
    putter.join()
    qtbot.wait(100)
    assert got == []  # held: the items wait
    resumer = threading.Thread(target=mailbox.resume)  # the drawing ends on another thread
    resumer.start()
    resumer.join()
    qtbot.waitUntil(lambda: bool(got), timeout=20_000)
    qtbot.wait(50)
    assert got == [9] and not mailbox.held


def test_a_hold_ends_by_itself_after_its_timeout(qtbot) -> None:
    mailbox, got = _watched_mailbox()
    mailbox.hold(1_000)
    mailbox.put("waiting")
    qtbot.wait(100)
    assert got == []
    qtbot.waitUntil(lambda: got == ["waiting"], timeout=20_000)  # nobody resumed: the timer did
    assert not mailbox.held


def test_resuming_an_empty_or_free_mailbox_delivers_nothing(qtbot) -> None:
    mailbox, got = _watched_mailbox()
    mailbox.resume()  # not held
    mailbox.hold(10_000)
    mailbox.resume()  # held, nothing waiting
    qtbot.wait(50)
    assert got == [] and not mailbox.held
    mailbox.put("next")
    qtbot.waitUntil(lambda: got == ["next"], timeout=20_000)  # free again: delivered at once


def test_a_hold_taken_after_the_delivery_was_scheduled_keeps_the_item(qtbot) -> None:
    mailbox, got = _watched_mailbox()
    mailbox.put("scheduled")  # its delivery is queued...
    mailbox.hold(10_000)  # ...and a hold comes first
    qtbot.wait(50)
    assert got == []
    mailbox.resume()
    qtbot.waitUntil(lambda: got == ["scheduled"], timeout=20_000)


def test_close_ends_a_hold_and_drops_its_item(qtbot) -> None:
    mailbox, got = _watched_mailbox()
    mailbox.hold(100)
    mailbox.put("waiting")
    mailbox.close()
    qtbot.wait(200)  # past the hold's timeout
    assert got == [] and not mailbox.held


def test_a_hold_is_refused_outside_the_mailboxs_thread(qtbot) -> None:
    mailbox = LatestMailbox()
    errors: list[str] = []

    def hold() -> None:
        try:
            mailbox.hold(1_000)
        except RuntimeError as exc:
            errors.append(str(exc))

    other = threading.Thread(target=hold)
    other.start()
    other.join()
    assert errors and "own thread" in errors[0] and not mailbox.held


def test_messages_are_never_dropped(qtbot) -> None:
    mailbox = LatestMailbox()
    got: list[str] = []
    mailbox.message.connect(got.append)
    worker = threading.Thread(target=lambda: [mailbox.put_message(f"m{i}") for i in range(5)])
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(got) == 5, timeout=20_000)
    assert got == [f"m{i}" for i in range(5)]


def test_off_thread_runs_elsewhere_and_reports_on_the_owners_thread(qtbot) -> None:
    runner = OffThread("test-off")
    ran_on: list[str] = []

    def work(x: int) -> int:
        ran_on.append(threading.current_thread().name)
        return x * 2

    with qtbot.waitSignal(runner.finished, timeout=20_000) as signal:
        runner.run(work, 21, context="ctx")
    assert signal.args == ["ctx", 42]
    assert ran_on and ran_on[0].startswith("test-off") and ran_on[0] != threading.current_thread().name
    delivered_on: list[bool] = []
    runner.finished.connect(lambda *_: delivered_on.append(QThread.currentThread() is runner.thread()))
    with qtbot.waitSignal(runner.finished, timeout=20_000):
        runner.run(work, 1)
    assert delivered_on == [True]
    runner.close()


def test_off_thread_reports_an_error_as_a_message(qtbot) -> None:
    runner = OffThread("test-off")

    def broken() -> None:
        raise ValueError("no such model")

    delivered_on: list[bool] = []
    runner.failed.connect(lambda *_: delivered_on.append(QThread.currentThread() is runner.thread()))
    with qtbot.waitSignal(runner.failed, timeout=20_000) as signal:
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
