"""What a network costs: per module its output shape, parameters and multiply-accumulates.

MACs come from torch's own FLOP counter (``torch.utils.flop_counter.FlopCounterMode``,
one MAC = two FLOPs; convolutions and matrix products, as the papers count), shapes from
forward hooks that are always removed again. Works on any ``nn.Module`` and input shape.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from viz_app.errors import UserError
from viz_app.models.counting import COUNTING
from viz_app.records.costs import LayerCost, ModelSummary, human


def _shape(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return "x".join(map(str, value.shape))
    if isinstance(value, (tuple, list)):
        parts = [_shape(v) for v in value]
        return "(" + ", ".join(p for p in parts if p) + ")"
    if isinstance(value, dict):
        return _shape(list(value.values()))
    return ""


def _example(model: nn.Module, input_shape: Sequence[int] | torch.Tensor) -> torch.Tensor:
    if isinstance(input_shape, torch.Tensor):
        return input_shape
    first = next(iter(model.parameters()), None)
    device = first.device if first is not None else torch.device("cpu")
    dtype = first.dtype if first is not None and first.is_floating_point() else torch.float32
    return torch.randn(*input_shape, device=device, dtype=dtype, generator=None)


def summarize(model: nn.Module, input_shape: Sequence[int] | torch.Tensor, name: str = "") -> ModelSummary:
    """The cost table of ``model`` for one forward of an input of ``input_shape`` (or that tensor).

    Raises ValueError with the model's own complaint when the input does not fit it.
    """
    x = _example(model, input_shape)  # N x C x H x W for a CNN
    paths = {module: path for path, module in model.named_modules() if path}
    order: list[nn.Module] = []
    shapes: dict[nn.Module, str] = {}
    calls: dict[nn.Module, int] = {}

    def pre_hook(module: nn.Module, args: Any) -> None:
        if module not in calls:
            order.append(module)
        calls[module] = calls.get(module, 0) + 1

    def hook(module: nn.Module, args: Any, output: Any) -> None:
        shapes[module] = _shape(output)

    handles = []
    for module in paths:
        handles += [module.register_forward_pre_hook(pre_hook), module.register_forward_hook(hook)]
    counter = FlopCounterMode(display=False)
    try:
        with COUNTING.counting(), torch.no_grad(), counter:  # its hooks are on every module of the process meanwhile
            model(x)
    except (RuntimeError, ValueError, TypeError, IndexError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"{name or type(model).__name__} cannot take an input of shape {tuple(x.shape)}: {first}") from exc
    finally:
        for handle in handles:
            handle.remove()

    never_ran = [m for m in paths if m not in calls]
    flops = _flops_by_path(counter)
    rows = tuple(_cost(module, paths[module], shapes, calls, flops) for module in order + never_ran)
    params = list(model.parameters())
    return ModelSummary(
        name=name or type(model).__name__,
        input_shape=tuple(x.shape),
        rows=rows,
        total_params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        param_bytes=sum(p.numel() * p.element_size() for p in params),
        total_macs=int(counter.get_total_flops()) // 2,
    )


def _flops_by_path(counter: FlopCounterMode) -> dict[str, int]:
    """FLOPs of one forward per module path ("ResNet.layer1.0.conv1" -> "layer1.0.conv1")."""
    flops: dict[str, int] = {}
    for key, ops in counter.get_flop_counts().items():
        if key != "Global" and "." in key:
            flops[key.split(".", 1)[1]] = int(sum(ops.values()))
    return flops


def _cost(module: nn.Module, path: str, shapes: dict[nn.Module, str], calls: dict[nn.Module, int], flops: dict[str, int]) -> LayerCost:
    """One row of the table: what ``module`` output, holds and computed in the forward."""
    return LayerCost(
        path=path,
        type=type(module).__name__,
        depth=path.count(".") + 1,
        output_shape=shapes.get(module, "-"),
        params=sum(p.numel() for p in module.parameters()),
        macs=flops.get(path, 0) // 2,
        calls=calls.get(module, 0),
        leaf=next(module.children(), None) is None,
    )


SKIP_TYPES = frozenset({"Dropout", "Identity", "Flatten"})


def layer_choices(summary: ModelSummary, titles: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """(module path, title) of every module a probe can show, in forward order.

    A module that ran more than once in one forward (torchvision ResNet's shared ``relu``)
    is left out: its hook would fire several times. A tuple output (a max-pool with its
    indices) shows its first tensor, as the probe does. Left out too: modules without a tensor output
    and ones that show nothing new (dropout, identity, flatten). ``titles`` (a spec's layers)
    name the modules they list; a converted ONNX graph's node names are shortened.
    """
    from viz_app.models.auto_layers import short_title

    named = dict(titles)
    return [
        (row.path, named.get(row.path) or short_title(row.path))
        for row in summary.rows
        if row.calls == 1 and row.output_shape.lstrip("(")[:1].isdigit() and row.type not in SKIP_TYPES
    ]


def format_table(summary: ModelSummary, depth: int | None = None) -> str:
    """The table as text: one line per module, indented by depth, then the totals."""
    rows = summary.at_depth(depth)
    head = ("Layer", "Type", "Output shape", "Params", "MACs")
    lines = [
        (
            r.path,
            r.type,
            r.output_shape + (f" (x{r.calls})" if r.calls > 1 else ""),
            f"{r.params:,}",
            human(r.macs) if r.macs else "-",
        )
        for r in rows
    ]
    widths = [max(len(str(c)) for c in col) for col in zip(head, *lines)]
    fmt = "  ".join(f"{{:{'<' if i < 3 else '>'}{w}}}" for i, w in enumerate(widths))
    out = [f"{summary.name}: input {'x'.join(map(str, summary.input_shape))}", fmt.format(*head), "-" * (sum(widths) + 8)]
    out += [fmt.format(*line) for line in lines]
    out += [
        "-" * (sum(widths) + 8),
        f"Total parameters: {summary.total_params:,} ({human(summary.total_params)}, "
        f"{summary.param_bytes / 2**20:.2f} MiB); trainable {summary.trainable_params:,}",
        f"Multiply-accumulates per forward: {summary.total_macs:,} ({human(summary.total_macs)})",
    ]
    return "\n".join(out)


MAX_SIDE = 4096  # pixels per side of a --input; a projector shows fewer
MAX_BATCH = 64
MAX_MACS = 50 * 10**9  # a forward costlier than this takes minutes on a CPU: refused, not started


def parse_shape(text: str) -> tuple[int, ...]:
    """'3x224x224' or '1x3x224x224' -> a batch-first shape (batch 1 when left out), bounded."""
    try:
        dims = tuple(int(d) for d in text.lower().replace(",", "x").split("x"))
    except ValueError:
        raise UserError(f"input shape {text!r} is not like 3x224x224 (C x H x W) or 1x3x224x224") from None
    if len(dims) not in (3, 4) or min(dims) < 1:
        raise UserError(f"input shape {text!r} is not like 3x224x224 (C x H x W) or 1x3x224x224")
    dims = dims if len(dims) == 4 else (1, *dims)
    if max(dims[2:]) > MAX_SIDE or dims[0] > MAX_BATCH or dims[1] > MAX_BATCH:
        raise UserError(f"input shape {text!r} is too large: at most {MAX_SIDE} pixels a side, batch and channels at most {MAX_BATCH}")
    return dims


def summarize_registered(name: str, input_shape: Sequence[int] | None = None) -> ModelSummary:
    """The cost table of a registered model (untrained: weights change no cost) at its own input size.

    Another ``input_shape`` is first priced from the cost at the model's own size (MACs grow
    with the pixels and the batch); one over MAX_MACS is refused before it runs.
    """
    from viz_app.models.registry import get_spec

    spec = get_spec(name)
    native = (1, spec.input.channels, *spec.input.size)
    shape = tuple(input_shape) if input_shape else native
    if shape != native:
        scale = shape[0] * math.prod(shape[2:]) / math.prod(native[2:])
        estimate = cached_summary(spec.name).total_macs * scale
        if estimate > MAX_MACS:
            raise UserError(
                f"{spec.name} at {'x'.join(map(str, shape))} would take about {human(int(estimate))} multiply-accumulates "
                f"(at most {human(MAX_MACS)}): choose a smaller input"
            )
    model = spec.build().eval()
    return summarize(model, shape, spec.name)


def format_overview(summaries: Sequence[ModelSummary], groups: Sequence[str]) -> str:
    """One line per model: input, parameters, parameter memory, MACs."""
    head = f"{'model':<30} {'group':<10} {'input':<14} {'parameters':>13} {'memory':>10} {'MACs':>15}"
    lines = [head, "-" * len(head)]
    for s, group in zip(summaries, groups):
        shape = "x".join(map(str, s.input_shape[1:]))
        lines.append(
            f"{s.name:<30} {group:<10} {shape:<14} {s.total_params:>13,} {s.param_bytes / 2**20:>7.2f}MiB "
            f"{s.total_macs:>15,}"
        )
    return "\n".join(lines)


@lru_cache(maxsize=64)
def cached_summary(name: str) -> ModelSummary:
    """The cost table of a registered model at its own input size, computed once per session.

    Costs do not depend on weights, so it builds its own untrained copy: safe to call from
    any thread, never touching (or hooking) the model the inference thread runs.
    """
    return summarize_registered(name)


def run_summary(args: argparse.Namespace) -> int:
    """`cnn-viz summary NAME|all [--input CxHxW] [--depth N] [--json]`."""
    from viz_app.models.registry import list_specs

    depth = getattr(args, "depth", None)
    as_json = getattr(args, "json", False)
    try:
        shape = parse_shape(args.input) if getattr(args, "input", None) else None
        if args.name == "all":
            specs = list_specs()
            summaries = [summarize_registered(spec.name, shape) for spec in specs]
        else:
            summary = summarize_registered(args.name, shape)
    except (UserError, ValueError) as exc:  # an unknown model is an UnknownModelError
        print(f"cnn-viz: error: {exc}", file=sys.stderr)
        return 2
    if args.name == "all":
        if as_json:
            print(json.dumps([{**s.to_json(0), "group": spec.group} for s, spec in zip(summaries, specs)]))
        else:
            print(format_overview(summaries, [spec.group for spec in specs]))
    elif as_json:
        print(json.dumps(summary.to_json(depth)))
    else:
        print(format_table(summary, depth))
    return 0
