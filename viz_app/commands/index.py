"""`cnn-viz index`: each unit's strongest MNIST test digits, stored beside the model's weights."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="find each unit's strongest MNIST test digits (for the unit panel)")
    p.add_argument("name", help="a zoo model, or 'all'")
    p.add_argument("--data", type=Path)


def run(args: argparse.Namespace) -> int:
    from viz_app.errors import UserError

    raise UserError("unit indexes are not built yet")
