"""The Qt-free pipeline benchmark and leak check that `.ci/gpu-check` runs on a GPU machine."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import torch

from viz_app.bench import pipeline as bench

# Run as on a GPU machine without Qt: importing PySide6, pyqtgraph or shiboken6 fails.
NO_QT = "import sys\nfor name in ('PySide6', 'pyqtgraph', 'shiboken6'):\n    sys.modules[name] = None\n"


def _run_without_qt(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", NO_QT + code], capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_pipeline_bench_runs_without_qt_and_prints_its_table(one_torch_thread):
    out = _run_without_qt(
        "from viz_app.bench.pipeline import main\n"
        "code = main(['--device', 'cpu', '--models', 'lenet5,resnet', '--frames', '6', '--extras-on', 'lenet5', '--json'])\n"
        "assert not [m for m, mod in sys.modules.items() if mod is not None and m.split('.')[0] in ('PySide6', 'pyqtgraph')]\n"
        "sys.exit(code)\n"
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["machine"]["device"] == "cpu" and report["frames"] == 6
    rows = {(r["model"], tuple(r["extras"])): r for r in report["rows"]}
    assert set(rows) == {("lenet5", ()), ("resnet", ()), ("lenet5", ("augment",)), ("lenet5", ("saliency",))}
    for row in rows.values():
        for stats in (row["pipeline"], row["forward"]):
            assert stats["frames"] == 6 and 0 < stats["median_ms"] <= stats["p95_ms"]
            assert stats["fps"] == pytest.approx(1e3 / stats["median_ms"], rel=0.01)
        assert row["overhead"] == pytest.approx(row["pipeline"]["median_ms"] / row["forward"]["median_ms"], abs=0.01)
        assert row["input"] == "1x1x32x32"
    # The probe does more than a bare forward: every layer's mosaic, the copy, the extra's batch.
    assert rows[("lenet5", ("augment",))]["pipeline"]["median_ms"] > rows[("lenet5", ())]["forward"]["median_ms"]


@pytest.mark.slow
def test_leak_check_runs_without_qt_and_finds_no_hooks_left(one_torch_thread):
    out = _run_without_qt(
        "from viz_app.bench.leaks import main\n"
        "sys.exit(main(['--device', 'cpu', '--frames', '20', '--models', 'lenet5,resnet', '--cycles', '2']))\n"
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["soak"]["frames"] == 20 and set(report["soak"]["at_frame"]) == {"1", "11", "20"}
    assert report["soak"]["hooks_while_running"] > 0 and report["hooks_left"] == 0
    assert [c["cycle"] for c in report["cycles"]] == [1, 2] and report["models_cycled"] == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--device", "cuda:63"], "no CUDA device"),
        (["--device", "cpu", "--models", "nosuchmodel"], "unknown model"),
        (["--device", "cpu", "--frames", "0"], "at least 1"),
    ],
)
def test_pipeline_bench_refuses_what_it_cannot_measure(args, message, capsys):
    assert bench.main(args) == 2
    assert message in capsys.readouterr().err


def test_frame_clock_times_what_the_block_takes():
    clock = bench.FrameClock(torch.device("cpu"))
    times: list[float] = []
    for _ in range(3):
        with clock.frame(times):
            time.sleep(0.02)
    assert len(times) == 3 and all(t >= 19.0 for t in times)  # at least the block's 20 ms (a busy machine adds to it)


def test_a_bench_that_measured_fewer_frames_fails():
    class Broken(bench.FrameClock):
        def frame(self, times_ms):  # noqa: ANN001, ANN202 - records nothing
            from contextlib import nullcontext

            return nullcontext()

    with pytest.raises(RuntimeError, match="measured 0 frames of 5"):
        bench.time_frames(lambda _i: None, Broken(torch.device("cpu")), frames=5, warmup=0)


def test_synthetic_frames_are_raw_source_frames():
    from viz_app.models import get_spec

    digits = bench.synthetic_frames(get_spec("lenet5"), count=3)
    photos = bench.synthetic_frames(get_spec("imagenet_resnet18"), count=2)
    assert [f.image.shape for f in digits] == [(280, 280)] * 3 and all(f.image.max() == 255 for f in digits)
    assert not (digits[0].image == digits[1].image).all()  # each frame differs, as a stroke does
    assert [f.image.shape for f in photos] == [(480, 640, 3)] * 2
