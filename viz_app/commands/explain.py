"""`cnn-viz explain`: one unit's arithmetic for an input: patch x kernel per channel, the partial
sums, sum + bias = the pre-activation, then the BatchNorm and activation the model applies.

The input is an image, prepared as the window prepares it, or ``--tensor FILE.npy``: the
network's input as it is (C x H x W or 1 x C x H x W, already normalised). ``--layer`` names a
module (`cnn-viz summary MODEL` lists them; a block such as LeNet-5's ``c3`` means its first
convolution, linear or pooling layer); ``--unit C,Y,X`` (a linear layer: ``--unit C``).
``--json`` prints one object: layer, unit, bias, contributions (channel, partial_sum),
pre_activation (the layer's own output at the unit), value (after what follows it), and sum (the
partial sums plus the bias, as worked out here).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from viz_app.arguments import WEIGHTS_HELP, add_model_options

SHOWN = 8  # channels printed, largest contributions first (all of them are in --json)


def unit_index(text: str) -> tuple[int, ...]:
    """``C,Y,X`` (or ``C``) as a tuple of non-negative integers; an argparse error otherwise."""
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        values = ()
    if not values or len(values) > 3 or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"a unit is C,Y,X (or C for a linear layer), non-negative integers: {text!r}")
    return values


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("explain", help="one unit's arithmetic for an input: patch x kernel, partial sums, bias, activation",
                       description=__doc__.split("\n\n")[0] if __doc__ else None)  # fmt: skip
    p.add_argument("name", help="the model (as for --model)")
    p.add_argument("image", nargs="?", type=Path, help="an image file, prepared as the window prepares it")
    p.add_argument("--tensor", type=Path, metavar="FILE.npy", help="the network's input as it is (C x H x W), instead of an image")
    p.add_argument("--layer", required=True, help="a module of the model, e.g. c3 (see `cnn-viz summary MODEL`)")
    p.add_argument("--unit", required=True, type=unit_index, metavar="C,Y,X")
    p.add_argument("--weights", type=Path, default=argparse.SUPPRESS, help=WEIGHTS_HELP)
    p.add_argument("--json", action="store_true")
    add_model_options(p)


def run(args: argparse.Namespace) -> int:
    from viz_app.models import load_model
    from viz_app.probe.arithmetic import NotExplained, explain, resolve_layer

    if (args.image is None) == (args.tensor is None):
        print("cnn-viz explain: error: give an image or --tensor FILE.npy (one of them)", file=sys.stderr)
        return 2
    weights = getattr(args, "weights", None)
    loaded = load_model(args.name, "cpu", weights, strict=weights is not None)
    try:
        x = _tensor(args.tensor, loaded.spec) if args.tensor is not None else _image(args.image, loaded.spec)
        layer = resolve_layer(loaded.model, args.layer)
        (unit,) = explain(loaded.model, x, layer, [args.unit])
    except NotExplained as exc:
        print(f"cnn-viz explain: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(as_json(unit), indent=2) if args.json else describe(unit))
    return 0


def as_json(unit: Any) -> dict[str, Any]:
    """The object ``--json`` prints."""
    return {
        "layer": unit.layer,
        "kind": unit.kind,
        "unit": list(unit.unit),
        "bias": unit.bias,
        "contributions": [{"channel": t.channel, "partial_sum": t.partial_sum} for t in unit.terms],
        "sum": unit.pre_activation,
        "pre_activation": unit.hooked,
        "after": [{"module": a.path, "what": a.what, "value": a.value} for a in unit.after],
        "value": unit.value,
    }


def describe(unit: Any) -> str:
    """The arithmetic in a few lines, the largest contributions first."""
    where = ",".join(map(str, unit.unit))
    lines = [f"{unit.layer} unit {where}: {unit.operation}"]
    if unit.kind == "conv":
        lines.append(f"stride {unit.stride}, padding (top, bottom, left, right) {unit.padding}, dilation {unit.dilation}, "
                     f"groups {unit.groups}: channels {unit.terms[0].channel}-{unit.terms[-1].channel} of group {unit.group}, "
                     f"receptive field from row {unit.origin[0]}, column {unit.origin[1]} of the input")  # fmt: skip
    ranked = sorted(unit.terms, key=lambda t: -abs(t.partial_sum))
    for term in ranked[:SHOWN]:
        lines.append(f"  channel {term.channel}: partial sum {term.partial_sum:+.6g}")
    if len(ranked) > SHOWN:
        rest = sum(t.partial_sum for t in ranked[SHOWN:])
        lines.append(f"  {len(ranked) - SHOWN} more channels: {rest:+.6g} together")
    if unit.kind in ("conv", "linear"):
        lines.append(f"sum of partial sums {unit.pre_activation - unit.bias:+.6g} + bias {unit.bias:+.6g} = {unit.pre_activation:+.6g}"
                     f" (the layer's output: {unit.hooked:+.6g})")  # fmt: skip
    else:
        lines.append(f"{unit.kind} of the window: {unit.pre_activation:+.6g} (the layer's output: {unit.hooked:+.6g})")
    for step in unit.after:
        lines.append(f"then {step.what} ({step.path}): {step.value:+.6g}")
    return "\n".join(lines)


def _tensor(path: Path, spec: Any) -> Any:
    import numpy as np
    import torch

    from viz_app.probe.arithmetic import NotExplained

    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise NotExplained(f"{path} is not a readable .npy file: {exc}") from None
    if array.ndim == 3:
        array = array[None]
    c, (h, w) = spec.input.channels, spec.input.size
    if array.ndim != 4 or array.shape[0] != 1 or array.shape[1] != c or not np.issubdtype(array.dtype, np.number):
        raise NotExplained(f"{path} holds an array of {array.shape} {array.dtype}; {spec.name} takes {c} x {h} x {w} numbers")
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))


def _image(path: Path, spec: Any) -> Any:
    import torch

    from viz_app.inputs.photo import extract_ink
    from viz_app.models.inputs import frame_to_tensor
    from viz_app.probe.arithmetic import NotExplained
    from viz_app.sources.images import ImageError, read_image

    try:
        image = read_image(path)
        frame = extract_ink(image) if spec.input.channels == 1 else image
    except (ImageError, ValueError) as exc:
        raise NotExplained(f"{path}: cannot read: {exc}") from None
    x, _blank = frame_to_tensor(frame, spec, torch.device("cpu"))
    return x
