"""`cnn-viz models`: what can be opened, with its weights and accuracy."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("models", help="list the registered models")


def run(args: argparse.Namespace) -> int:
    from viz_app.models import list_specs
    from viz_app.models.loader import default_weights_path
    from viz_app.models.weights import read_card

    specs = list_specs()
    width = max(len(spec.name) for spec in specs)
    for spec in specs:
        path = default_weights_path(spec)
        card = read_card(path) if path else {}
        accuracy = f"{card['test_accuracy']:.2%}" if "test_accuracy" in card else "-"
        if spec.group == "ImageNet":
            shipped = "download"  # published weights, fetched once into torch's cache
        else:
            shipped = "trained" if path and path.is_file() else "untrained"
        print(f"{spec.name:<{width}}  {spec.group:<10} {shipped:<10} {accuracy:>7}  {spec.title}")
    return 0
