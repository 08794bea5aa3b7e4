"""The lecture's model-zoo chart, measured here: throughput and latency of every zoo model.

`cnn-viz bench --zoo [--json]` times each registered model of the MNIST zoo on the chosen
device (images per second at batch 64, and one image's latency, medians of several runs)
and takes accuracy from its model card. No Qt here; the chart panel draws the rows.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

import torch
from torch import nn

from viz_app.models.device import DeviceError, describe, resolve_device
from viz_app.models.loader import load_model
from viz_app.models.registry import ModelSpec, specs_in_group
from viz_app.models.summary import summarize
from viz_app.records.costs import ZooRow, human

ZOO_GROUP = "MNIST zoo"


def median_seconds(fn: Callable[[], object], runs: int, device: torch.device, warmup: int = 2) -> float:
    """Median wall time of ``fn()`` over ``runs`` calls, after ``warmup`` calls (CUDA synchronised)."""
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    for _ in range(warmup):
        fn()
    sync()
    times = []
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


def bench_spec(spec: ModelSpec, device: torch.device, batch: int = 64, runs: int = 10) -> ZooRow:
    """One model's row of the chart: its card's accuracy and its speed on ``device``."""
    loaded = load_model(spec, device)
    model = loaded.model
    shape = (spec.channels, *spec.input_size)
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


def bench_zoo(device: torch.device, batch: int = 64, runs: int = 10, group: str = ZOO_GROUP, progress: Callable[[str], None] | None = None) -> list[ZooRow]:
    """Rows for every registered model of ``group``, in registration order."""
    rows = []
    for spec in specs_in_group(group):
        if progress is not None:
            progress(spec.name)
        rows.append(bench_spec(spec, device, batch, runs))
    return rows


def format_rows(rows: list[ZooRow]) -> str:
    head = f"{'model':<22} {'accuracy':>9} {'images/s':>10} {'latency':>10} {'params':>9} {'memory':>9} {'MACs':>9}"
    lines = [head, "-" * len(head)]
    for r in rows:
        acc = f"{r.accuracy:.2%}" if r.accuracy is not None else "untrained"
        lines.append(
            f"{r.name:<22} {acc:>9} {r.throughput:>10,.0f} {r.latency_ms:>8.2f}ms {human(r.params):>9} "
            f"{r.param_bytes / 2**20:>7.2f}MB {human(r.macs):>9}"
        )
    if rows:
        lines.append(f"(batch {rows[0].batch} for images/s, one image for latency; {rows[0].device})")
    return "\n".join(lines)


def run_zoo_bench(device: str = "auto", json_out: bool = False, runs: int = 10, batch: int = 64) -> int:
    """`cnn-viz bench --zoo [--json]`: prints the table (or a JSON list of rows); 0 on success."""
    try:
        dev = resolve_device(device)
    except DeviceError as exc:
        print(f"cnn-viz bench: error: {exc}", file=sys.stderr)
        return 2
    if runs < 1 or batch < 1:
        print("cnn-viz bench: error: runs and batch must be at least 1", file=sys.stderr)
        return 2
    say = None if json_out else (lambda name: print(f"timing {name}...", file=sys.stderr, flush=True))
    rows = bench_zoo(dev, batch, runs, progress=say)
    if json_out:
        print(json.dumps([row.to_json() for row in rows]))
    else:
        print(format_rows(rows))
    return 0
