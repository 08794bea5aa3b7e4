"""`cnn-viz bench --startup`: a real process, timed to its first shown frame."""

from __future__ import annotations

import json

from viz_app.cli import main


def test_startup_bench_times_a_real_start(capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)  # the offscreen platform, as in CI
    assert main(["bench", "--startup", "--runs", "1", "--device", "cpu", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["runs"] == 1 and report["model"] == "lenet5" and report["display"] == "offscreen"
    # A start includes importing torch and building the window: never instantaneous, never the timeout.
    assert 0.3 < report["median_s"] < 60
    assert report["each_s"] == [report["median_s"]]


def test_startup_bench_fails_loudly_when_no_frame_comes(capsys, monkeypatch):
    import viz_app.bench.startup as startup

    monkeypatch.setattr(startup.sys, "executable", "/bin/false")  # a "cnn-viz" that exits at once
    assert main(["bench", "--startup", "--runs", "1", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "exited with status 1 before showing a frame" in err and "Traceback" not in err
