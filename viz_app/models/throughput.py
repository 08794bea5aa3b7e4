"""What a model costs in time: images per second and one image's latency on a device.

The rows of the lecture's model-zoo chart: the window measures them on demand (the chart
panel's "measure" button) and ``cnn-viz bench zoo`` prints them. No Qt here.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch
from torch import nn

from viz_app.models.device import describe
from viz_app.models.loader import load_model
from viz_app.models.registry import ModelSpec, specs_in_group
from viz_app.models.summary import summarize
from viz_app.records.costs import ZooRow

ZOO_GROUP = "MNIST zoo"


def median_seconds(fn: Callable[[], object], runs: int, device: torch.device, warmup: int = 2) -> float:
    """Median wall time of ``fn()`` over ``runs`` calls, after ``warmup`` calls (CUDA synchronised)."""
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    for _ in range(warmup):
        fn()
    sync()
    times: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_model(model: nn.Module, input_shape: tuple[int, ...], device: torch.device, batch: int = 64, runs: int = 10) -> tuple[float, float]:
    """(images per second at ``batch``, milliseconds for one image) of a model in eval mode on ``device``."""
    big = torch.randn(batch, *input_shape, device=device)  # batch x C x H x W
    one = big[:1].clone()  # 1 x C x H x W
    with torch.inference_mode():
        per_batch = median_seconds(lambda: model(big), runs, device)
        per_image = median_seconds(lambda: model(one), runs, device)
    return batch / per_batch, per_image * 1e3


def measure_spec(spec: ModelSpec, device: torch.device, batch: int = 64, runs: int = 10) -> ZooRow:
    """One model's row of the chart: its card's accuracy and its speed on ``device``."""
    loaded = load_model(spec, device)
    model = loaded.model
    shape = (spec.input.channels, *spec.input.size)
    macs = summarize(model, (1, *shape), spec.name).total_macs
    throughput, latency = time_model(model, shape, device, batch, runs)
    params = list(model.parameters())
    return ZooRow(
        name=spec.name,
        title=spec.title,
        accuracy=loaded.card.get("test_accuracy") if loaded.trained else None,
        throughput=throughput,
        latency_ms=latency,
        params=sum(p.numel() for p in params),
        param_bytes=sum(p.numel() * p.element_size() for p in params),
        macs=macs,
        device=describe(device),
        batch=batch,
        group=spec.group,
    )


def measure_zoo(
    device: torch.device, batch: int = 64, runs: int = 10, group: str = ZOO_GROUP, progress: Callable[[str], None] | None = None
) -> list[ZooRow]:
    """Rows for every registered model of ``group``, in registration order."""
    rows: list[ZooRow] = []
    for spec in specs_in_group(group):
        if progress is not None:
            progress(spec.name)
        rows.append(measure_spec(spec, device, batch, runs))
    return rows
