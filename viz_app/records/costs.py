"""Plain records of what a network costs: the summary table and the model-zoo chart.

Nothing here imports torch or Qt: ``viz_app.models.summary`` and ``viz_app.models.throughput``
fill these records, the window's panels draw them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class LayerCost:
    """One module of a network: what it outputs, what it holds and what it computes."""

    path: str  # module path in the model, e.g. "layer1.0.conv1"
    type: str  # class name, e.g. "Conv2d"
    depth: int  # 1 for the model's children, 2 for theirs...
    output_shape: str  # e.g. "1x64x56x56"; "-" when the module did not run
    params: int  # parameters of the module and everything inside it
    macs: int  # multiply-accumulates of one forward, inside it included
    calls: int  # times the module ran in one forward (more than 1: reused)
    leaf: bool  # no child modules


@dataclass(frozen=True)
class ModelSummary:
    """A network's table of costs for one input shape, with totals."""

    name: str
    input_shape: tuple[int, ...]
    rows: tuple[LayerCost, ...]
    total_params: int
    trainable_params: int
    param_bytes: int
    total_macs: int

    def at_depth(self, depth: int | None = None) -> tuple[LayerCost, ...]:
        """Rows down to ``depth`` levels (None: down to the leaves); deeper work is folded into its parent."""
        if depth is None:
            return self.rows
        return tuple(row for row in self.rows if row.depth <= depth)

    def to_json(self, depth: int | None = None) -> dict[str, Any]:
        """The summary as `cnn-viz summary --json` prints it (rows down to ``depth`` when given)."""
        return {
            "model": self.name,
            "input_shape": list(self.input_shape),
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "param_bytes": self.param_bytes,
            "total_macs": self.total_macs,
            "layers": [asdict(row) for row in self.at_depth(depth)],
        }


@dataclass(frozen=True)
class ZooRow:
    """One model's point on the model-zoo chart, measured on this machine."""

    name: str
    title: str
    accuracy: float | None  # test accuracy from the model card (0..1); None: untrained
    throughput: float  # images per second at ``batch``
    latency_ms: float  # one image, median
    params: int
    param_bytes: int
    macs: int = 0  # per image
    device: str = ""
    batch: int = 64
    group: str = "MNIST zoo"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The row as `cnn-viz bench zoo --json` prints it."""
        return asdict(self)


def human(n: float, unit: str = "") -> str:
    """1234567 -> '1.23M' (K, M, G, T), for tables and labels."""
    for factor, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= factor:
            return f"{n / factor:.2f}{suffix}{unit}"
    return f"{n:g}{unit}"
