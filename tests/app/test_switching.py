"""Fifty model switches leave no hooks, tensors or memory behind."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import time
import warnings
import weakref
from pathlib import Path

import numpy as np
import pytest
import torch

from viz_app.models import load_model, loader
from viz_app.probe.hooks import count_hooks
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame

SWITCHES = 50
# A digit model, and every fifth switch an ImageNet one, untrained (45 MB of weights, 1.8 GMACs).
MODELS = ("lenet5", "imagenet_resnet18", "lenet5", "lenet5", "lenet5")
WARMUP = 7  # switches before the baseline (two ResNets in): allocator pools and lazy imports settle
TENSOR_SLACK = 16
RSS_SLACK_MB = 60.0  # one leaked ResNet-18 per switch would be ~1 GB


def live_tensors() -> int:
    gc.collect()
    with warnings.catch_warnings():  # isinstance() on torch's deprecated module attributes warns
        warnings.simplefilter("ignore")
        return sum(1 for obj in gc.get_objects() if isinstance(obj, torch.Tensor))


def rss_mb() -> float:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # hand freed heap pages back, so RSS shows what is really held
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def ink() -> np.ndarray:
    image = np.zeros((280, 280), np.uint8)
    image[50:230, 120:160] = 255
    return image


@pytest.mark.slow
def test_fifty_switches_leave_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # empty cache: ImageNet models open untrained

    def offline(url: str, dest: Path, progress: object = None) -> None:
        raise loader.DownloadError("no network in tests")

    monkeypatch.setattr(loader, "download_file", offline)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    global_hooks = len(torch.nn.modules.module._global_forward_hooks)
    old_models: list[weakref.ref] = []
    baseline: tuple[int, float, int] | None = None
    frame = Frame(ink(), time.perf_counter())
    for i in range(SWITCHES):
        if i == WARMUP:
            baseline = (live_tensors(), rss_mb(), torch.cuda.memory_allocated() if device.type == "cuda" else 0)
        loaded = load_model(MODELS[i % len(MODELS)], device)
        pipeline = Pipeline(loaded)
        assert count_hooks(loaded.model) == len(loaded.spec.layers)
        result = pipeline.process(frame)
        assert result.model == loaded.spec.name and len(result.layers) == len(loaded.spec.layers)
        pipeline.close()
        assert count_hooks(loaded.model) == 0  # the probe took its hooks off
        old_models.append(weakref.ref(loaded.model))
        del loaded, pipeline, result
    gc.collect()
    assert all(ref() is None for ref in old_models), "a switched-away model is still referenced"
    assert len(torch.nn.modules.module._global_forward_hooks) == global_hooks
    assert baseline is not None
    tensors, rss, cuda_bytes = live_tensors(), rss_mb(), torch.cuda.memory_allocated() if device.type == "cuda" else 0
    assert tensors - baseline[0] <= TENSOR_SLACK, f"live tensors grew from {baseline[0]} to {tensors}"
    assert rss - baseline[1] <= RSS_SLACK_MB, f"RSS grew from {baseline[1]:.0f} MB to {rss:.0f} MB"
    assert cuda_bytes <= baseline[2], f"CUDA memory grew from {baseline[2]} to {cuda_bytes} bytes"
