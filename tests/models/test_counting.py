"""Model runs go together; a FLOP count (whose hooks are global) goes alone."""

from __future__ import annotations

import threading
import time

from viz_app.models.counting import CountingLock


def test_runs_overlap_and_a_count_waits_for_them_and_goes_alone() -> None:
    lock = CountingLock()
    events: list[str] = []
    first_in, release = threading.Event(), threading.Event()

    def run(name: str) -> None:
        with lock.running():
            events.append(f"{name} in")
            first_in.set()
            release.wait(5)
            events.append(f"{name} out")

    def count() -> None:
        with lock.counting():
            events.append("count")

    runners = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for t in runners:
        t.start()
    _until(lambda: sorted(events) == ["a in", "b in"])  # two runs at once
    counter = threading.Thread(target=count)
    counter.start()
    _until(lambda: lock._waiting == 1)  # the count waits for the runs
    assert "count" not in events
    release.set()
    for t in (*runners, counter):
        t.join(5)
    assert events[-1] == "count" and events.index("count") > events.index("a out")


def test_a_thread_inside_a_run_may_start_another_while_a_count_waits() -> None:
    lock = CountingLock()
    entered, done = threading.Event(), []
    with lock.running():

        def count() -> None:
            with lock.counting():
                done.append("count")

        counter = threading.Thread(target=count)
        counter.start()
        _until(lambda: lock._waiting == 1)  # the count now waits
        with lock.running():  # nested: must not wait for the waiting count
            entered.set()
    counter.join(5)
    assert entered.is_set() and done == ["count"]


def _until(condition, timeout: float = 30.0) -> None:  # noqa: ANN001
    """Wait for ``condition`` (another thread's progress), however busy the machine."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)
