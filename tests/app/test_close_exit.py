"""Closing the window ends the process, also while a large model is still loading: the real app
in a real X server (Xvfb), closed with its Quit shortcut typed by xdotool.

While VGG-16 builds, the load stops at its next torch call; one call, the initialisation of
its 102 M-parameter first classifier layer, takes about 0.8 s on a CPU here and cannot be
interrupted, so the closing window waits for the inference thread at most 0.5 s (the settings
and the log are saved on the GUI thread before) and the process ends: cleanly, without Qt's
"QThread: Destroyed while thread is still running" abort. How long a close takes is a figure of
`cnn-viz bench close [--early]`, not of this test (a busy runner would make it flaky).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from xserver import start_xvfb

pytestmark = pytest.mark.xserver
HANG_S = 60  # a process still there this long after Quit hangs


@pytest.fixture()
def display():
    if shutil.which("xdotool") is None:
        pytest.fail("needs xdotool (see .ci/run for the packages)")
    server, display = start_xvfb("1280x720", first=150)
    yield display
    server.send_signal(signal.SIGTERM)
    server.wait(10)


def _xdotool(display: str, *args: str, timeout: float = 60) -> str:
    out = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _records(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()] if log.exists() else []


def _start(display: str, tmp_path: Path, model: str) -> tuple[subprocess.Popen, Path, str]:
    """The app on ``display`` with ``model`` (no remembered settings, no cached weights); the window's id."""
    log = tmp_path / "predictions.jsonl"
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "TORCH_HOME": str(tmp_path / "torch")}  # fmt: skip
    command = [sys.executable, "-m", "viz_app", "--device", "cpu", "--model", model, "--log-predictions", str(log)]
    app = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        window = _xdotool(display, "search", "--sync", "--onlyvisible", "--name", "^cnn-viz").split()[0]
    except BaseException:
        app.kill()  # no window came: the process must not outlive the test
        app.wait()
        raise
    return app, log, window


def _close(display: str, app: subprocess.Popen, window: str) -> None:
    """Type the Quit shortcut into the window and wait for the process to end."""
    _xdotool(display, "windowfocus", "--sync", window)
    _xdotool(display, "key", "--clearmodifiers", "ctrl+q")
    try:
        app.wait(timeout=HANG_S)
    except subprocess.TimeoutExpired:
        app.kill()
        pytest.fail(f"the app had not ended {HANG_S} s after Quit")


@pytest.mark.slow
def test_quit_ends_the_process_cleanly_and_saves_the_settings(display, tmp_path):
    app, log, window = _start(display, tmp_path, "lenet5")
    deadline = time.monotonic() + 120
    while not any(r.get("event") == "ready" for r in _records(log)):
        assert app.poll() is None and time.monotonic() < deadline, app.stderr.read()[-2000:] if app.stderr else ""
        time.sleep(0.2)
    _close(display, app, window)
    stderr = app.stderr.read() if app.stderr else ""
    assert app.returncode == 0 and "Traceback" not in stderr, stderr[-2000:]
    assert list((tmp_path / "config").rglob("*.conf")), "the settings were not saved"


@pytest.mark.slow
def test_quit_while_a_large_model_loads_ends_the_process_without_waiting_for_the_model(display, tmp_path):
    # VGG-16 with batch norm: 138 M parameters, seconds to build on a CPU; closed as soon as the window is up.
    app, log, window = _start(display, tmp_path, "imagenet_vgg16_bn")
    _close(display, app, window)
    stderr = app.stderr.read() if app.stderr else ""
    assert not any(r.get("event") == "ready" for r in _records(log)), "the model had loaded before the window closed"
    assert app.returncode == 0 and "Traceback" not in stderr and "QThread: Destroyed" not in stderr, stderr[-2000:]


@pytest.mark.slow
def test_quit_while_a_users_forward_hangs_ends_the_process_cleanly(display, tmp_path):
    """A model file whose forward never returns on a frame (it sleeps; a thread cannot be stopped
    in the middle of Python code): Quit still ends the process, with its settings, and no abort."""
    net = tmp_path / "hangs.py"
    net.write_text(
        "import time\nimport torch\nfrom torch import nn\n\n\n"
        "class Hangs(nn.Sequential):\n    def forward(self, x):\n"
        "        if x.shape[0] == 1 and x.abs().sum() > 0:  # a frame: not the opening's zeros, not the calibration's four\n"
        "            time.sleep(3600)\n        return super().forward(x)\n\n\n"
        "def build():\n    return Hangs(nn.Conv2d(1, 4, 5), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 24 * 24, 10))\n",
        encoding="utf-8",
    )
    app, log, window = _start(display, tmp_path, f"{net}:build")
    try:
        deadline = time.monotonic() + 120
        while not any(r.get("event") == "ready" for r in _records(log)):  # the model is up; its first frame hangs
            assert app.poll() is None and time.monotonic() < deadline, app.stderr.read()[-2000:] if app.stderr else ""
            time.sleep(0.2)
        time.sleep(1)  # the first frame has reached the forward by now
        _close(display, app, window)
    finally:
        if app.poll() is None:  # whatever failed above, the hanging app does not outlive the test
            app.kill()
            app.wait()
    stderr = app.stderr.read() if app.stderr else ""
    assert not any("seq" in r for r in _records(log)), "a frame was shown: the forward did not hang"
    assert app.returncode == 0 and "Traceback" not in stderr and "QThread: Destroyed" not in stderr, stderr[-2000:]
    assert list((tmp_path / "config").rglob("*.conf")), "the settings were not saved"
