"""`cnn-viz read`: the string of digits in each image file (the space-displacement network)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("read", help="read the string of digits in each image file (a photo, scan or drawing)")
    p.add_argument("images", nargs="+", type=Path)
    p.add_argument("--model", default="sdnn", help="a string model (default: sdnn)")
    p.add_argument("--json", action="store_true", help="one JSON object per file: path, text, confidence, digits")


def run(args: argparse.Namespace) -> int:
    from viz_app.training.read_files import read_files

    return read_files(args.model, args.images, as_json=args.json)
