"""`cnn-viz eval`: a model's accuracy on the MNIST test set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="accuracy on the 10,000-image MNIST test set")
    p.add_argument("name")
    p.add_argument("--data", type=Path)
    p.add_argument("--weights", dest="eval_weights", type=Path)
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    import torch

    from viz_app.models import load_model
    from viz_app.training.evaluate import evaluate
    from viz_app.training.mnist import load_split

    loaded = load_model(args.name, "cpu", args.eval_weights, strict=True)
    digits = load_split("test", args.data)
    result = evaluate(loaded.model, loaded.spec, digits, torch.device("cpu"))
    if args.json:
        print(json.dumps({"model": args.name, "accuracy": result.accuracy, "n": result.n, "errors": result.errors, "weights": loaded.weights}))
    else:
        print(f"{args.name}: {result.accuracy:.2%} accuracy on the {result.n:,} MNIST test images ({result.errors} errors)")
    return 0
