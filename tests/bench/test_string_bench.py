"""`cnn-viz bench string`: a five-digit string written on the real window's wide pad, timed."""

from __future__ import annotations

import argparse
import json

import pytest

from viz_app.bench.strings import STRING, bench_strings, run_string_bench


@pytest.mark.slow
def test_the_string_bench_times_frames_read_with_the_string_panel_in_view(qapp) -> None:
    report = bench_strings("sdnn", "cpu", frames=40)
    assert report["frames_measured"] >= 40 and report["updates_per_s"] > 0
    assert 0 < report["latency_ms"]["median"] <= report["latency_ms"]["p95"]
    assert report["panel_frames"] == report["frames_measured"]  # the String panel's extra ran on every frame
    assert report["strip_width"] > 32 and isinstance(report["last_read"], str)  # a strip, read as a string
    assert report["string"] == STRING and set(report["stages_ms"]) == {"preprocess", "forward", "mosaic", "transfer", "to_gui", "gui"}


@pytest.mark.slow
def test_the_string_bench_prints_json(qapp, capsys) -> None:
    args = argparse.Namespace(model="sdnn", device="cpu", frames=20, rate=120.0, json=True)
    assert run_string_bench(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model"] == "sdnn" and report["frames_measured"] >= 20


@pytest.mark.slow
def test_the_string_bench_reads_with_the_sdnn_when_given_a_one_digit_model(qapp, capsys) -> None:
    args = argparse.Namespace(model="lenet5", device="cpu", frames=15, rate=120.0, json=True)
    assert run_string_bench(args) == 0
    captured = capsys.readouterr()
    assert "lenet5 reads one digit at a time; timing sdnn instead" in captured.err
    assert json.loads(captured.out)["model"] == "sdnn"
