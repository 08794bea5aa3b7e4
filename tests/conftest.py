"""Shared fixtures: the real MNIST folder, headless Qt, the shipped models."""

from __future__ import annotations

import faulthandler
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Favourite inputs are computed at idle CPU priority; on a runner whose CPU is never idle (CI
# beside other jobs) such a child may never run, so the tests give it the normal priority. The
# idle default is tested on its own (tests/probe/test_favourite_process.py).
os.environ.setdefault("CNN_VIZ_FAVOURITE_PRIORITY", "normal")

ROOT = Path(__file__).resolve().parents[1]
HANG_S = 900  # a test still running after this has hung (the longest takes ~30 s alone, a few times that on a busy runner)


CROSS_THREAD = ("another thread", "different thread")  # Qt's words for a widget or timer touched from the wrong thread


@pytest.fixture(autouse=True)
def _gui_only_on_its_thread(request):
    """A test fails when Qt said a timer or widget was used from a thread that does not own it
    (a worker's signal handled by a plain callable runs on the worker's thread)."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    qtlog = request.getfixturevalue("qtlog")
    yield
    wrong = [r.message for r in qtlog.records if any(words in r.message for words in CROSS_THREAD)]
    assert not wrong, f"Qt objects used from a thread that does not own them: {wrong[:3]}"


@pytest.fixture(autouse=True)
def _hang_guard():
    """A hung test prints every thread's stack and ends the run, instead of CI waiting out its 90 minutes."""
    faulthandler.dump_traceback_later(HANG_S, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _mnist_dir() -> Path | None:
    for candidate in (os.environ.get("CNN_VIZ_DATA"), ROOT.parent / "shared" / "data" / "mnist"):
        if candidate and (Path(candidate) / "t10k-images-idx3-ubyte.gz").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder with the four original MNIST IDX files ($CNN_VIZ_DATA or ../shared/data/mnist)."""
    folder = _mnist_dir()
    if folder is None:
        pytest.fail("MNIST not found: set CNN_VIZ_DATA to a folder with the four IDX .gz files")
    return folder


@pytest.fixture(scope="session")
def mnist_test(mnist_dir: Path):
    from viz_app.training.mnist import load_split

    return load_split("test", mnist_dir)


@pytest.fixture(scope="session", autouse=True)
def _pyqtgraph_config():
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)


@pytest.fixture(scope="module")
def one_torch_thread():
    """One intra-op thread: on a shared 2-core runner, OpenMP threads spinning against each other cost 10x."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture()
def lenet_session(qtbot, monkeypatch, mnist_dir):
    """The real window wired to its inference thread with LeNet-5 on the CPU, shown and loaded.

    The MNIST tab reads the local test set (never a download); the session is closed after the test.
    """
    from viz_app.app.session import Session
    from viz_app.state.options import RunOptions

    monkeypatch.setenv("CNN_VIZ_DATA", str(mnist_dir))
    session = Session("lenet5", RunOptions("cpu"))
    qtbot.addWidget(session.window)
    session.window.resize(1200, 800)
    session.window.show()
    qtbot.waitUntil(lambda: session.window.model is not None, timeout=30_000)
    yield session
    session.window.close()
    session.close()


@pytest.fixture()
def on_gui_thread():
    """``on_gui_thread(worker.signal)``: the signal as the GUI thread receives it (see gui_relay)."""
    from gui_relay import GuiRelay

    relays: list[GuiRelay] = []

    def relay(signal):
        relays.append(GuiRelay())
        return relays[-1].relay(signal)

    yield relay
    relays.clear()


@pytest.fixture()
def window(qtbot):
    """A bare window (no worker, no model loaded), shown: for what the window itself does."""
    from viz_app.ui.main_window import MainWindow

    window = MainWindow([("lenet5", "LeNet-5", "MNIST zoo")])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window
