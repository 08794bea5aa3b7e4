"""`cnn-viz predict`: image files classified through the window's own preprocessing."""

from __future__ import annotations

import argparse
from pathlib import Path

from viz_app.arguments import WEIGHTS_HELP, add_model_options


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("predict", help="classify image files through the window's preprocessing")
    p.add_argument("name")
    p.add_argument("images", nargs="+", type=Path)
    p.add_argument("--weights", type=Path, default=argparse.SUPPRESS, help=WEIGHTS_HELP)
    p.add_argument("--json", action="store_true")
    add_model_options(p)


def run(args: argparse.Namespace) -> int:
    from viz_app.predict import predict_files

    return predict_files(args.name, args.images, args.weights, as_json=args.json)
