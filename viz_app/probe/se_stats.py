"""Mean squeeze-and-excitation gate per class over the MNIST test set, stored in the model card.

The SE paper (Hu et al. 2018, fig. 6) shows that early blocks excite channels alike for
every class while late blocks are class-specific; the SE panel shows these means beside the
live gates. Written once after training by ``python -m viz_app.training.se_card <model>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from viz_app.models.inputs import digits_to_tensor
from viz_app.models.loader import LoadedModel
from viz_app.models.weights import read_card, write_card
from viz_app.probe.extras.se import CARD_KEY, ForwardCapture, find_se_gates


class LabelledDigits(Protocol):
    """Digits with their labels, as ``viz_app.training.mnist.Digits`` holds a split of MNIST."""

    @property
    def images(self) -> np.ndarray: ...  # N x 28 x 28 uint8

    @property
    def labels(self) -> np.ndarray: ...  # N class indices

    def __len__(self) -> int: ...


@torch.inference_mode()
def class_mean_excitation(loaded: LoadedModel, digits: LabelledDigits, batch_size: int = 500) -> dict[str, np.ndarray]:
    """{SE block path: classes x C mean gate} over ``digits`` (every class must occur)."""
    gates = find_se_gates(loaded.model)
    if not gates:
        raise ValueError(f"{loaded.spec.name} has no squeeze-and-excitation blocks")
    classes = len(loaded.spec.classes)
    sums: list[torch.Tensor | None] = [None] * len(gates)
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
                if v is None:
                    raise ValueError(f"the SE gate {gates[i][0]} did not run")
                part = onehot.T @ v.float()  # classes x C
                total = sums[i]
                sums[i] = part if total is None else total + part
    finally:
        capture.remove()
    if (counts == 0).any():
        raise ValueError("every class needs at least one digit to average over")
    return {name: (s / counts[:, None]).cpu().numpy() for (name, _), s in zip(gates, sums) if s is not None}


def store_in_card(weights: Path, means: dict[str, np.ndarray], decimals: int = 4) -> Path:
    """Add ``means`` under CARD_KEY to the model card beside ``weights``; returns the card's path."""
    card = read_card(weights)
    card[CARD_KEY] = {name: np.round(m, decimals).tolist() for name, m in means.items()}
    return write_card(weights, card)
