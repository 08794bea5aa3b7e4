"""`cnn-viz models`: what can be opened, with its weights and accuracy."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list the registered models")
    p.add_argument("--all", action="store_true",
                   help="also every torchvision:NAME classifier, the models opened before and how to open a model file of your own")


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
    if getattr(args, "all", False):
        _print_more({spec.name for spec in specs} | {a for spec in specs for a in spec.aliases})
    return 0


def _print_more(known: set[str]) -> None:
    """torchvision's other classifiers, the models opened before, and the forms a user's own model takes."""
    from viz_app.models.torchvision_any import classification_names

    names = [f"torchvision:{n}" for n in classification_names() if n not in known]
    print(f"\ntorchvision classifiers ({len(names)} more; published weights downloaded once, else untrained):")
    for i in range(0, len(names), 4):
        print("  " + "  ".join(f"{n:<34}" for n in names[i : i + 4]).rstrip())
    from viz_app.app.recent import read_recent, user_store

    recent = read_recent(user_store())
    if recent:
        print("\nopened before (newest first):")
        for name, title in recent:
            print(f"  {name}" + (f"  ({title})" if title != name else ""))
    print("\nyour own model: FILE.py[:FUNCTION] (default build), FILE.onnx; with --weights, and a FILE.json beside it"
          " for input size, mean/std and class names")
