"""Write the class-mean squeeze-and-excitation gates of a trained model into its model card.

Run once after training: ``python -m viz_app.training.se_card <model>``. The SE panel shows
these means (computed over the MNIST test set) beside the live gates.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from viz_app.models.loader import default_weights_path, load_model
from viz_app.probe.se_stats import class_mean_excitation, store_in_card
from viz_app.training.mnist import load_split


def main(argv: list[str] | None = None) -> int:
    """Measure the class-mean gates of ``model`` and store them beside its weights; 0 on success."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("model", help="a registered model with SE blocks, e.g. the zoo's SE-ResNet")
    parser.add_argument("--data", type=Path, default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--weights", type=Path, default=None, help="weights file (default: the shipped one)")
    args = parser.parse_args(argv)
    loaded = load_model(args.model, "cpu", args.weights, strict=True)
    weights = args.weights or default_weights_path(loaded.spec)
    if weights is None:
        parser.error(f"{args.model} has no weights file to store the card beside")
    means = class_mean_excitation(loaded, load_split("test", args.data))
    path = store_in_card(weights, means)
    print(f"{len(means)} SE blocks: class-mean gates written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
