"""One-off heavy work (a model's cost table) waits for a pause in the input."""

from __future__ import annotations

from viz_app.app import threads
from viz_app.app.threads import WhenIdle


class _Clock:
    """The gate's clock, moved by the test: what it decides does not depend on how busy the machine is."""

    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


def test_the_job_waits_while_input_keeps_coming_and_runs_once_it_rests(qtbot, monkeypatch) -> None:
    clock = _Clock()
    monkeypatch.setattr(threads, "time", clock)
    gate = WhenIdle(0.25)  # times in binary fractions, exact in floating point
    ran: list[float] = []
    gate.start(lambda: ran.append(clock.now))
    for _ in range(12):  # input every 62.5 ms for 0.75 s: no pause of 0.25 s
        clock.now += 0.0625
        gate.touch()
        gate._check()  # what the gate's timer does when it fires, whenever it fires
    assert ran == []
    clock.now += 0.125
    gate._check()  # 0.125 s of rest: not yet
    assert ran == []
    clock.now += 0.125
    gate._check()
    gate._check()
    assert ran == [clock.now] and gate._job is None  # once, after exactly 0.25 s of rest
    gate.cancel()


def test_the_gates_timer_runs_the_job_without_being_asked_again(qtbot) -> None:
    gate = WhenIdle(0.05)
    ran: list[int] = []
    gate.start(lambda: ran.append(1))
    qtbot.waitUntil(lambda: bool(ran), timeout=10_000)
    assert ran == [1]


def test_a_cancelled_job_never_runs(qtbot) -> None:
    gate = WhenIdle(0.1)
    ran: list[int] = []
    gate.start(lambda: ran.append(1))
    gate.cancel()
    qtbot.wait(300)
    assert ran == []
