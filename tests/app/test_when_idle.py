"""One-off heavy work (a model's cost table) waits for a pause in the input."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from viz_app.app.threads import WhenIdle


def test_the_job_waits_while_input_keeps_coming_and_runs_once_it_rests(qtbot) -> None:
    gate = WhenIdle(0.3)
    ran: list[float] = []
    started = time.perf_counter()
    gate.start(lambda: ran.append(time.perf_counter() - started))
    feeder = QTimer(interval=50)
    feeder.timeout.connect(gate.touch)
    feeder.start()
    qtbot.wait(700)
    assert ran == []  # input every 50 ms: no pause of 0.3 s yet
    feeder.stop()
    qtbot.waitUntil(lambda: bool(ran), timeout=2000)
    assert ran[0] >= 0.7 + 0.3 - 0.05 and len(ran) == 1
    gate.cancel()


def test_a_cancelled_job_never_runs(qtbot) -> None:
    gate = WhenIdle(0.1)
    ran: list[int] = []
    gate.start(lambda: ran.append(1))
    gate.cancel()
    qtbot.wait(300)
    assert ran == []
