"""Mean squeeze-and-excitation gate per class over the MNIST test set, stored in the model card.

The SE paper (Hu et al. 2018, fig. 6) shows that early blocks excite channels alike for
every class while late blocks are class-specific; the SE panel shows these means beside the
live gates. Run once after training: ``python -m viz_app.probe.se_stats <model>``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from viz_app.models.inputs import digits_to_tensor
from viz_app.models.loader import LoadedModel, default_weights_path, load_model
from viz_app.models.weights import read_card, write_card
from viz_app.probe.extras.se import CARD_KEY, ForwardCapture, find_se_gates
from viz_app.training.mnist import Digits, load_split


@torch.inference_mode()
def class_mean_excitation(loaded: LoadedModel, digits: Digits, batch_size: int = 500) -> dict[str, np.ndarray]:
    """{SE block path: classes x C mean gate} over ``digits`` (every class must occur)."""
    gates = find_se_gates(loaded.model)
    if not gates:
        raise ValueError(f"{loaded.spec.name} has no squeeze-and-excitation blocks")
    classes = len(loaded.spec.classes)
    sums = [None] * len(gates)
    counts = torch.zeros(classes, device=loaded.device)
    capture = ForwardCapture(loaded.model, [g for _, g in gates], lambda out: out.flatten(1))
    try:
        for start in range(0, len(digits), batch_size):
            x = digits_to_tensor(digits.images[start : start + batch_size], loaded.spec, loaded.device)  # N x 1 x 32 x 32
            labels = torch.as_tensor(digits.labels[start : start + batch_size], device=loaded.device)
            loaded.model(x)
            values = capture.for_input(x)
            capture.clear()
            onehot = torch.nn.functional.one_hot(labels, classes).float()  # N x classes
            counts += onehot.sum(0)
            for i, v in enumerate(values or []):
                part = onehot.T @ v.float()  # classes x C
                sums[i] = part if sums[i] is None else sums[i] + part
    finally:
        capture.remove()
    if (counts == 0).any():
        raise ValueError("every class needs at least one digit to average over")
    return {name: (s / counts[:, None]).cpu().numpy() for (name, _), s in zip(gates, sums)}


def store_in_card(weights: Path, means: dict[str, np.ndarray], decimals: int = 4) -> Path:
    """Add ``means`` under CARD_KEY to the model card beside ``weights``; returns the card's path."""
    card = read_card(weights)
    card[CARD_KEY] = {name: np.round(m, decimals).tolist() for name, m in means.items()}
    return write_card(weights, card)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
