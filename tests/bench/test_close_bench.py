"""`cnn-viz bench close`: a real process asked to close as its Quit does, timed to its end;
Ctrl+C in the terminal closes the window the same way, settings saved."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from viz_app.bench import close as bench
from viz_app.cli import main


@pytest.mark.slow
@pytest.mark.parametrize("early", [False, True])
def test_close_bench_times_real_closes_and_reports_how_they_ended(capsys, monkeypatch, early) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)  # the offscreen platform, as in CI
    argv = ["bench", "close", "--runs", "1", "--device", "cpu", "--json", *(["--early"] if early else [])]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["runs"] == 1 and report["model"] == "lenet5" and report["display"] == "offscreen"
    assert report["clean_exits"] == 1 and report["each_s"] == [report["median_s"]] and report["median_s"] > 0
    assert report["closed"] == ("as soon as the window was up" if early else "after the first frame")
    if not early:
        assert report["model_shown_before_close"] == 1


def test_close_bench_fails_loudly_when_a_close_is_not_clean(capsys, monkeypatch) -> None:
    monkeypatch.setattr(bench, "close_once", lambda *_: {"seconds": 0.5, "exit_status": 134, "model_shown": True, "traceback": False})
    assert main(["bench", "close", "--runs", "2", "--device", "cpu"]) == 1
    out, err = capsys.readouterr()
    assert "0 clean" in out and "2 of 2 closes did not end cleanly" in err


@pytest.mark.slow
def test_ctrl_c_in_the_terminal_closes_the_window_and_saves_its_settings(tmp_path: Path) -> None:
    log = tmp_path / "shown.jsonl"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    app = subprocess.Popen([sys.executable, "-m", "viz_app", "--device", "cpu", "--log-predictions", str(log)],
                           env=env, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120  # a hang detector, not a figure
        while not (log.is_file() and '"ready"' in log.read_text()):
            assert app.poll() is None and time.monotonic() < deadline, app.stderr.read() if app.stderr else ""
            time.sleep(0.05)
        app.send_signal(signal.SIGINT)
        app.wait(60)
    finally:
        app.kill()
    stderr = app.stderr.read() if app.stderr else ""
    assert app.returncode == 0 and "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr[-2000:]
    assert list((tmp_path / "config").rglob("*.conf")), "the settings were not saved"
