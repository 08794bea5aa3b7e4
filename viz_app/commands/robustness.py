"""`cnn-viz robustness`: accuracy on the MNIST test digits at every step of the 1995 demo's scenes."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("robustness", help="accuracy on the MNIST test digits at every step of the 1995 demo's scenes")
    p.add_argument("names", nargs="+", metavar="MODEL", help="one or more digit models, compared side by side")
    p.add_argument("--scene", action="append", metavar="SCENE",
                   help="translation, scale, rotation, squeeze, stroke, salt_pepper, gaussian or styles (repeatable; default: all)")  # fmt: skip
    p.add_argument("--data", type=Path)
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from viz_app.sources.scenes import SCENES
    from viz_app.training.robustness import run_robustness

    return run_robustness(args.names, args.scene or list(SCENES), args.data, args.json)
