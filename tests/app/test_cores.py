"""The GUI thread and the inference thread take turns on one core for a digit-size model
(``viz_app.cores``): two threads of one interpreter on two cores hand its lock back and forth
thousands of times a second, and LeNet-5's latency in the window was four times what it is on
one core. A photo-size model spreads them again, a child process spreads itself, and a closed
window leaves the process as it found it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from viz_app.cores import SharedCore

CORES = set(os.sched_getaffinity(0))


def test_joined_threads_share_one_core_and_spread_again() -> None:
    assert len(CORES) >= 2, "a machine of one core has nothing to share: this test needs two"
    shared = SharedCore()
    ids: list[int] = []
    go, done = threading.Event(), threading.Event()

    def worker() -> None:
        shared.join()
        ids.append(threading.get_native_id())
        go.set()
        done.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    go.wait(10)
    try:
        assert shared.share(True) and shared.core == max(CORES)
        assert os.sched_getaffinity(ids[0]) == {max(CORES)}
        assert os.sched_getaffinity(0) == CORES  # a thread that did not join is left alone
        assert shared.share(False) and shared.core is None
        assert os.sched_getaffinity(ids[0]) == CORES
    finally:
        done.set()
        thread.join()
    assert shared.share(True)  # a thread that has ended is forgotten, not an error


def test_a_child_started_from_the_shared_core_spreads_itself() -> None:
    code = "import os; from viz_app.cores import spread_over_all_cores; spread_over_all_cores(); print(sorted(os.sched_getaffinity(0)))"
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {max(CORES)})  # this thread on one core: the child inherits it
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    finally:
        os.sched_setaffinity(0, before)
    assert out.strip() == str(sorted(CORES))


def test_the_window_and_its_inference_thread_share_a_core_for_lenet5(qtbot, lenet_session) -> None:
    cores = lenet_session.inference.cores
    assert cores.core == max(CORES) and os.sched_getaffinity(0) == {cores.core}  # the GUI thread
    assert "(1 thread)" in lenet_session.window.model.device  # what it runs with, not what torch had before
    lenet_session.window.model_requested.emit("imagenet_resnet18", None)  # photo-size: torch's threads on every core
    qtbot.waitUntil(lambda: lenet_session.window.model.name == "imagenet_resnet18", timeout=60_000)
    assert cores.core is None and os.sched_getaffinity(0) == CORES
    assert f"({len(CORES)} threads)" in lenet_session.window.model.device
    lenet_session.window.model_requested.emit("lenet5", None)
    qtbot.waitUntil(lambda: lenet_session.window.model.name == "lenet5", timeout=60_000)
    assert os.sched_getaffinity(0) == {max(CORES)}
    lenet_session.close()
    assert os.sched_getaffinity(0) == CORES  # closed: the process as it was
