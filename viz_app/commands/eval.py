"""`cnn-viz eval`: a model's accuracy on the MNIST test set.

A string reader (the space-displacement network) is measured on the fixed, seeded set of
2,000 strings of 3-6 MNIST test digits instead, side by side with a classical reader
(connected components, wide blobs split, LeNet-5 on each piece) on the same strings.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from viz_app.arguments import WEIGHTS_HELP


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="accuracy on the 10,000-image MNIST test set (sdnn: on 2,000 strings of test digits)")
    p.add_argument("name")
    p.add_argument("--data", type=Path)
    p.add_argument("--weights", type=Path, default=argparse.SUPPRESS, help=WEIGHTS_HELP)
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    import torch

    from viz_app.models import get_spec, load_model
    from viz_app.models.strings import has_string_head
    from viz_app.training.evaluate import evaluate
    from viz_app.training.mnist import load_split

    if has_string_head(get_spec(args.name)):
        return _strings(args)
    loaded = load_model(args.name, "cpu", args.weights, strict=True)
    digits = load_split("test", args.data)
    result = evaluate(loaded.model, loaded.spec, digits, torch.device("cpu"))
    if args.json:
        print(json.dumps({"model": args.name, "accuracy": result.accuracy, "n": result.n, "errors": result.errors, "weights": loaded.weights}))
    else:
        print(f"{args.name}: {result.accuracy:.2%} accuracy on the {result.n:,} MNIST test images ({result.errors} errors)")
    return 0


def _strings(args: argparse.Namespace) -> int:
    """The string evaluation: the SDNN and the classical reader on the same 2,000 strings."""
    from viz_app.models import load_model
    from viz_app.training.mnist import load_split
    from viz_app.training.string_eval import compare_readers
    from viz_app.training.strings import EVAL_SEED

    loaded = load_model(args.name, "cpu", args.weights, strict=True)
    lenet = load_model("lenet5", "cpu", strict=True)
    test = load_split("test", args.data)
    readers = compare_readers(loaded.model, lenet.model, lenet.spec, test)
    if args.json:
        print(json.dumps({"model": args.name, "weights": loaded.weights, "seed": EVAL_SEED, "readers": readers}))
        return 0
    n = readers["sdnn"]
    print(
        f"{n['touching_n'] + n['separate_n']:,} strings of 3-6 MNIST test digits (seed {EVAL_SEED}): "
        f"{n['touching_n']:,} with touching or overlapping digits, {n['separate_n']:,} with digits apart"
    )
    print(f"{'':<34} {'strings read exactly':^28}   {'digit accuracy':^27}")
    print(f"{'reader':<34} {'all':>8} {'touching':>9} {'separate':>9}   {'all':>7} {'touching':>9} {'separate':>9}")
    for label, key in ((f"{args.name} (space displacement)", "sdnn"), ("classical (segment + lenet5)", "classical")):
        print(_row(label, readers[key]))
    return 0


def _row(label: str, r: dict[str, Any]) -> str:
    """One reader's line: string accuracy overall / touching / separate, then digit accuracy."""
    s = [r["string_accuracy"], r["touching_string_accuracy"], r["separate_string_accuracy"]]
    d = [r["digit_accuracy"], r["touching_digit_accuracy"], r["separate_digit_accuracy"]]
    return f"{label:<34} {s[0]:>8.2%} {s[1]:>9.2%} {s[2]:>9.2%}   {d[0]:>7.2%} {d[1]:>9.2%} {d[2]:>9.2%}"
