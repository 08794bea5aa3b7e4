"""`cnn-viz summary`: per-layer output shape, parameters and multiply-accumulates of a model."""

from __future__ import annotations

import argparse
from pathlib import Path

from viz_app.arguments import WEIGHTS_HELP, add_model_options, positive_int


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summary", help="per-layer output shape, parameters and multiply-accumulates of a model")
    p.add_argument("name", help="a registered model, or 'all' for one line per model")
    p.add_argument("--input", metavar="CxHxW", help="another input shape, e.g. 3x448x448 or 1x3x448x448")
    p.add_argument("--depth", type=positive_int, help="fold modules nested deeper than this (default: every module)")
    add_model_options(p, input_flag=False)
    p.add_argument("--weights", type=Path, default=argparse.SUPPRESS, help=WEIGHTS_HELP + " (checked; the figures are the architecture's)")
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from viz_app.models.summary import run_summary

    if args.weights is not None:
        from viz_app.models import load_model

        load_model(args.name, "cpu", args.weights, strict=True)  # a file that does not fit or is hostile ends here
    return run_summary(args)
