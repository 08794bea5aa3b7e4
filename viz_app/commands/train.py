"""`cnn-viz train`: a model trained on MNIST with its recipe, its weights and model card written."""

from __future__ import annotations

import argparse
from pathlib import Path

from viz_app.arguments import output_file, positive_int, present_device
from viz_app.state.options import DEVICE_HELP


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model on MNIST and write its weights and model card")
    p.add_argument("name")
    p.add_argument("--data", type=Path, help="folder with the four MNIST IDX .gz files (default: $CNN_VIZ_DATA or download)")
    p.add_argument("--epochs", type=positive_int)
    p.add_argument("--out", type=output_file, help="weights file to write (default: assets/NAME.pt)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", type=present_device, default="auto", help=DEVICE_HELP)
    p.add_argument("--limit", type=positive_int, help="train on the first N training images only (for a quick check)")


def run(args: argparse.Namespace) -> int:
    from viz_app.models import get_spec
    from viz_app.models.device import resolve_device
    from viz_app.paths import assets_dir
    from viz_app.training.mnist import load_split
    from viz_app.training.trainers import train, trainer_of

    spec = get_spec(args.name)
    trainer_of(spec)  # a model without an MNIST recipe is refused before the data is read
    out = args.out or assets_dir() / f"{spec.name}.pt"
    result = train(spec, load_split("train", args.data), load_split("test", args.data), out,
                   epochs=args.epochs, seed=args.seed, device=resolve_device(args.device), limit=args.limit)  # fmt: skip
    card = result.card
    print(f"wrote {result.weights} and its model card: test accuracy {card['test_accuracy']:.2%} ({card['test_errors']} errors), {card['train_seconds']:.0f} s")
    return 0
