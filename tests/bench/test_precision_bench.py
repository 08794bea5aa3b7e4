"""The reduced-precision check `.ci/gpu-check` runs: top-1 agreement with fp32, and the speed-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from viz_app.bench import precision as bench

NO_QT = "import sys\nfor name in ('PySide6', 'pyqtgraph', 'shiboken6'):\n    sys.modules[name] = None\n"


@pytest.mark.slow
def test_precision_bench_runs_without_qt_and_reports_each_model(one_torch_thread):
    code = (
        "from viz_app.bench.precision import main\n"
        "code = main(['--device', 'cpu', '--models', 'lenet5,resnet', '--inputs', '40', '--frames', '3', '--json'])\n"
        "assert not [m for m, mod in sys.modules.items() if mod is not None and m.split('.')[0] in ('PySide6', 'pyqtgraph')]\n"
        "sys.exit(code)\n"
    )
    out = subprocess.run([sys.executable, "-c", NO_QT + code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["machine"]["device"] == "cpu"
    rows = {r["model"]: r for r in report["rows"]}
    assert set(rows) == {"lenet5", "resnet"}
    for row in rows.values():
        assert row["precision"] == "bf16" and row["inputs"] == 40 and row["trained"]  # the CPU's default: bf16
        assert 0.0 <= row["top1_agreement"] <= 1.0 and 0.0 <= row["max_probability_difference"] <= 1.0
        # The speed-up is reported to 2 decimals, the times to 3: the ratio of the reported times
        # differs from it by at most those roundings, however fast or slow the reduced precision is.
        fp32, reduced = row["fp32_ms"], row["reduced_ms"]
        assert fp32 > 0 and reduced > 0
        rounding = 0.005 + (fp32 / reduced) * (0.0005 / fp32 + 0.0005 / reduced) + 1e-9
        assert abs(row["speedup"] - fp32 / reduced) <= rounding
    # bf16 keeps 8 bits of mantissa: a trained digit model's answers move, but hardly.
    assert rows["lenet5"]["top1_agreement"] >= 0.9 and rows["lenet5"]["max_probability_difference"] > 0


def test_top1_agreement_counts_rows_with_the_same_best_class() -> None:
    a = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.4, 0.6], [0.3, 0.7]])
    b = torch.tensor([[0.2, 0.8], [0.1, 0.9], [0.45, 0.55], [0.9, 0.1]])
    assert bench.top1_agreement(a, b) == 0.5
    assert bench.top1_agreement(a, a) == 1.0


def test_photo_like_inputs_are_seeded_images_with_most_energy_at_low_frequencies() -> None:
    x = bench.photo_like(6, 3, (64, 48), seed=3)
    assert x.shape == (6, 3, 64, 48) and x.dtype == torch.float32
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert torch.equal(x, bench.photo_like(6, 3, (64, 48), seed=3))
    assert not torch.equal(x, bench.photo_like(6, 3, (64, 48), seed=4))
    power = torch.fft.rfft2(x - x.mean(dim=(2, 3), keepdim=True)).abs() ** 2
    assert power[..., 1:4, 1:4].mean() > 50 * power[..., 24:32, 16:24].mean()  # 1/f, not white noise


@pytest.mark.parametrize(
    "args, message",
    [
        (["--device", "cpu", "--precisions", "fp8"], "unknown precision"),
        (["--device", "cpu", "--models", "nosuchmodel"], "unknown model"),
        (["--device", "cpu", "--inputs", "0"], "at least 1"),
        (["--device", "cuda:63"], "no CUDA device"),
    ],
)
def test_precision_bench_refuses_what_it_cannot_measure(args, message, capsys) -> None:
    assert bench.main(args) == 2
    assert message in capsys.readouterr().err
