"""`cnn-viz bench zoo [--json]`: the lecture's model-zoo chart as a table on the terminal.

Each registered model of the MNIST zoo is timed on the chosen device by
``viz_app.models.throughput`` (images per second at batch 64, one image's latency, medians
of several runs), with its accuracy from its model card. No Qt here.
"""

from __future__ import annotations

import json
import sys

from viz_app.models.device import DeviceError, resolve_device
from viz_app.models.throughput import measure_zoo
from viz_app.records.costs import ZooRow, human


def format_rows(rows: list[ZooRow]) -> str:
    """The rows as the plain-text table `cnn-viz bench zoo` prints."""
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
    """`cnn-viz bench zoo [--json]`: prints the table (or a JSON list of rows); 0 on success."""
    try:
        dev = resolve_device(device)
    except DeviceError as exc:
        print(f"cnn-viz bench: error: {exc}", file=sys.stderr)
        return 2
    if runs < 1 or batch < 1:
        print("cnn-viz bench: error: runs and batch must be at least 1", file=sys.stderr)
        return 2
    say = None if json_out else (lambda name: print(f"timing {name}...", file=sys.stderr, flush=True))
    rows = measure_zoo(dev, batch, runs, progress=say)
    if json_out:
        print(json.dumps([row.to_json() for row in rows]))
    else:
        print(format_rows(rows))
    return 0
