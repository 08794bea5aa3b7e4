"""`cnn-viz bench startup`: a real process, timed to its first shown frame."""

from __future__ import annotations

import json

import pytest

from viz_app.cli import main


@pytest.mark.slow
def test_startup_bench_times_a_real_start(capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)  # the offscreen platform, as in CI
    assert main(["bench", "startup", "--runs", "1", "--device", "cpu", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["runs"] == 1 and report["model"] == "lenet5" and report["display"] == "offscreen"
    assert report["median_s"] > 0 and report["each_s"] == [report["median_s"]] == [report["min_s"]] == [report["max_s"]]


def test_startup_bench_fails_loudly_when_no_frame_comes(capsys, monkeypatch):
    import viz_app.bench.startup as startup

    monkeypatch.setattr(startup.sys, "executable", "/bin/false")  # a "cnn-viz" that exits at once
    assert main(["bench", "startup", "--runs", "1", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "exited with status 1 before showing a frame" in err and "Traceback" not in err
