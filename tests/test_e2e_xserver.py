"""End to end in a real X server: the installed app, a digit drawn with real pointer events.

Xvfb provides the display and xdotool moves the real X pointer, so the events travel the
whole way through X, Qt's xcb platform plugin, the drawing pad, the inference thread and
the panels. The app logs what it shows with --log-predictions.
"""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from xserver import start_xvfb

from viz_app.sources.scripted import scaled_strokes

pytestmark = pytest.mark.xserver

TOOLS = {name: shutil.which(name) for name in ("Xvfb", "xdotool", "cnn-viz")}


@pytest.fixture()
def display():
    missing = [name for name, path in TOOLS.items() if path is None]
    if missing:
        pytest.fail(f"needs {', '.join(missing)} (see .ci/run for the packages)")
    server, display = start_xvfb("1600x1000", first=90)
    yield display
    server.send_signal(signal.SIGTERM)
    server.wait(10)


def _records(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def _wait_for(predicate, timeout: float, what: str, app: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if app.poll() is not None:
            pytest.fail(f"the app exited (code {app.returncode}) while waiting for {what}: {app.stderr.read()[-2000:]}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


_geometries: list[str] = []


def _mapped_and_settled(env: dict) -> bool:
    """True once the window is on screen and has kept its geometry since the last look."""
    found = subprocess.run([TOOLS["xdotool"], "search", "--onlyvisible", "--name", "^cnn-viz"], env=env, capture_output=True, text=True)
    ids = found.stdout.split()
    if not ids:
        return False
    geometry = subprocess.run([TOOLS["xdotool"], "getwindowgeometry", ids[0]], env=env, capture_output=True, text=True).stdout
    _geometries.append(geometry)
    return len(_geometries) >= 2 and _geometries[-1] == _geometries[-2]


@pytest.mark.slow
def test_draw_a_digit_with_the_real_pointer(display, tmp_path):
    log = tmp_path / "predictions.jsonl"
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "XDG_CONFIG_HOME": str(tmp_path / "config")}  # a first start
    app = subprocess.Popen([TOOLS["cnn-viz"], "--device", "cpu", "--log-predictions", str(log)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        ready = _wait_for(lambda: next((r for r in _records(log) if r.get("event") == "ready"), None), 120, "the window", app)
        assert ready["model"] == "lenet5"
        x0, y0, side, _ = ready["pad"]
        _wait_for(lambda: _mapped_and_settled(env), 60, "the window to be mapped and keep its place", app)
        commands = []
        for stroke in scaled_strokes(3, side, steps_per_unit=25):
            (sx, sy), rest = stroke[0], stroke[1:]
            commands += ["mousemove", str(round(x0 + sx)), str(round(y0 + sy)), "mousedown", "1"]
            for px, py in rest:
                commands += ["mousemove", str(round(x0 + px)), str(round(y0 + py)), "sleep", "0.01"]
            commands += ["mouseup", "1"]
        subprocess.run([TOOLS["xdotool"], *commands], env=env, check=True, timeout=120)

        def recognised():
            shown = [r for r in _records(log) if "prediction" in r and not r["empty"]]
            return shown if len(shown) >= 3 and shown[-1]["prediction"] == "3" else None

        shown = _wait_for(recognised, 30, "the drawn 3 to be recognised", app)
        assert shown[-1]["confidence"] > 0.5
        # Mid-stroke updates: several distinct frames were shown, not only the final one.
        assert len({r["seq"] for r in shown}) >= 3
        subprocess.run([TOOLS["xdotool"], "key", "--clearmodifiers", "ctrl+q"], env=env, check=True, timeout=30)
        assert app.wait(30) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
