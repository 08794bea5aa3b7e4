"""`cnn-viz read`: the string of digits in each image file (the space-displacement network)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("read", help="read the string of digits in each image file")
    p.add_argument("images", nargs="+", type=Path)
    p.add_argument("--model", dest="read_model", default="sdnn")
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from viz_app.errors import UserError

    raise UserError("reading strings is not built yet")
