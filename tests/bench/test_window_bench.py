"""`cnn-viz bench` on the real window: frames timed stage by stage, and a panel's cost split out."""

from __future__ import annotations

import argparse
import json

import pytest

from viz_app.bench.window import bench_window, run_bench


@pytest.mark.slow
def test_bench_reports_latency_and_stages(qapp) -> None:
    report = bench_window("lenet5", "cpu", frames=60)
    assert report["frames_shown"] >= 50 and report["updates_per_s"] > 0
    assert 0 < report["latency_ms"]["median"] <= report["latency_ms"]["p95"]
    assert set(report["stages_ms"]) == {"preprocess", "forward", "mosaic", "transfer", "to_gui", "gui"}
    assert "panel" not in report
    # Resident memory and hooks at the first counted frame, the middle and the last; LeNet-5's
    # seven default layers each carry one hook all along.
    memory = report["memory"]
    assert [m["frame"] for m in memory["marks"]] == [11, 30, 60]
    assert all(m["hooks"] == 7 and m["rss_mb"] > 100 for m in memory["marks"]) and memory["hooks_constant"]
    assert memory["rss_growth_mb"] == pytest.approx(memory["marks"][-1]["rss_mb"] - memory["marks"][0]["rss_mb"], abs=0.11)


@pytest.mark.slow
def test_bench_splits_frames_with_and_without_a_panel(qapp) -> None:
    report = bench_window("lenet5", "cpu", frames=400, panel="augment")
    base, shown = report["without_panel"], report["with_panel"]
    # The tab alternates every second: both sides get frames, and they add up to what was shown.
    assert base["frames"] > 20 and shown["frames"] > 20
    assert base["frames"] + shown["frames"] == report["frames_shown"]
    for part in (base, shown):
        assert part["frame_interval_ms"]["median"] > 0 and 0 < part["work_ms"]["median"] <= part["work_ms"]["p95"]
    ratio = shown["frame_interval_ms"]["median"] / base["frame_interval_ms"]["median"]
    assert report["frame_interval_ratio"] == pytest.approx(ratio, abs=1e-3)


@pytest.mark.slow
def test_the_unit_bench_takes_turns_with_and_without_a_favourite_input_computing(qapp) -> None:
    # The bench goes on past 900 frames until a favourite input has been computed, however busy the machine.
    report = bench_window("lenet5", "cpu", frames=900, rate=60, panel="unit")
    assert report["frames_measured"] >= report["frames_requested"] == 900
    base, shown = report["without_panel"], report["with_panel"]
    assert report["favourites_computed"] >= 1 and report["favourite_seconds"]["median"] > 0
    assert report["favourite_wait_seconds"]["median"] >= report["favourite_seconds"]["median"] * 0.9  # the wait holds the ascent
    assert base["frames"] > 20 and shown["frames"] > 20  # a unit selected and none computing; one computing
    assert base["frames"] + shown["frames"] == report["frames_shown"]
    assert report["latency_ratio"] == pytest.approx(shown["latency_ms"]["median"] / base["latency_ms"]["median"], abs=1e-3)


@pytest.mark.slow
def test_a_unit_bench_without_a_favourite_input_computed_exits_non_zero(qapp, monkeypatch, capsys) -> None:
    from viz_app.bench import window

    def starved(*_args, **_kwargs) -> dict:  # what a machine whose CPU is never idle gives, within the time limit
        report = bench_window("lenet5", "cpu", frames=60, panel="augment")
        return {**report, "favourites_computed": 0, "favourite_seconds": {}, "favourite_wait_seconds": {}}

    monkeypatch.setattr(window, "bench_window", starved)
    args = argparse.Namespace(model="lenet5", device="cpu", frames=60, rate=120.0, panel="unit", json=True)
    assert window.run_bench(args) == 1
    assert "no favourite input was computed" in capsys.readouterr().err


def test_bench_refuses_an_unknown_panel(qapp) -> None:
    with pytest.raises(ValueError, match="no panel 'magic'"):
        bench_window("lenet5", "cpu", frames=10, panel="magic")


@pytest.mark.slow
def test_bench_alternates_normal_and_presentation_views(qapp) -> None:
    report = bench_window("lenet5", "cpu", frames=300, presentation=True)
    normal, shown = report["normal"], report["presentation"]
    assert normal["frames"] > 20 and shown["frames"] > 20
    assert normal["frames"] + shown["frames"] == report["frames_shown"]
    assert shown["updates_per_s"] > 0 and report["latency_ratio"] > 0
    assert report["frames_measured"] >= report["frames_requested"] == 300


@pytest.mark.slow
def test_a_bench_cut_short_exits_non_zero(qapp, monkeypatch, capsys) -> None:
    import argparse

    from viz_app.bench import window

    def short(*_args, **_kwargs) -> dict:
        report = bench_window("lenet5", "cpu", frames=20)
        return {**report, "frames_requested": 50, "frames_measured": 20}

    monkeypatch.setattr(window, "bench_window", short)
    args = argparse.Namespace(model="lenet5", device="cpu", frames=50, rate=120.0, panel=None, json=True)
    assert window.run_bench(args) == 1
    assert "only 20 of 50 frames" in capsys.readouterr().err


@pytest.mark.slow
def test_json_of_the_presentation_bench_is_json_alone(qapp, capsys) -> None:
    args = argparse.Namespace(model="lenet5", device="cpu", frames=120, rate=120.0, panel=None, json=True, view="presentation")
    assert run_bench(args) == 0
    report = json.loads(capsys.readouterr().out)  # nothing but the report on stdout
    assert report["frames_measured"] == 120 and {"normal", "presentation"} <= set(report)


@pytest.mark.slow
def test_the_trace_holds_every_frames_stages_on_their_threads(qapp, tmp_path, capsys) -> None:
    path = tmp_path / "frames.json"
    args = argparse.Namespace(model="lenet5", device="cpu", frames=60, rate=120.0, panel=None, json=False, trace=path)
    assert run_bench(args) == 0
    assert f"trace: {path}" in capsys.readouterr().out
    events = json.loads(path.read_text())["traceEvents"]  # trace-event JSON, as Perfetto and chrome://tracing read it
    threads = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M"}
    assert set(threads.values()) == {"GUI thread", "inference thread"}
    by_frame: dict[int, list[dict]] = {}
    for event in events:
        if "frame" in event.get("args", {}):
            by_frame.setdefault(event["args"]["frame"], []).append(event)
    assert len(by_frame) >= 60 and any(e["name"] == "paint" and e["ph"] == "X" for e in events)
    order = ["mailbox", "prepare", "forward", "mosaic", "transfer", "unpack", "to GUI", "show"]
    for frame in by_frame.values():
        spans = {e["name"]: e for e in frame if e["ph"] == "X"}
        assert list(spans) == order and frame[0]["name"] == "input event"  # every stage, in the order they ran
        assert all(spans[a]["ts"] + spans[a]["dur"] <= spans[b]["ts"] + 1 for a, b in zip(order, order[1:]))  # each ends before the next begins
        assert threads[spans["forward"]["tid"]] == "inference thread" and threads[spans["show"]["tid"]] == "GUI thread"


def test_a_trace_into_a_missing_folder_is_refused_in_one_line(tmp_path, capsys) -> None:
    from viz_app.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["bench", "--trace", str(tmp_path / "no" / "such" / "trace.json")])
    assert exit_.value.code == 2 and "is not a folder this user can write to" in capsys.readouterr().err
