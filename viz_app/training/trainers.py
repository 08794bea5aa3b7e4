"""Which trainer makes a model's weights: the recipe names it, this registry finds it.

A classifier of the MNIST zoo trains with ``train.train_classifier`` (AdamW, one-cycle, random
affine distortions); a string reader (the SDNN) with ``train_strings`` (composed strings, CTC).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import torch

from viz_app.errors import UserError
from viz_app.models.recipes import ClassifierRecipe, StringRecipe
from viz_app.models.registry import ModelSpec
from viz_app.training.mnist import Digits
from viz_app.training.train import TrainResult, train_classifier
from viz_app.training.train_strings import train_strings


class Trainer(Protocol):
    """Train ``spec`` from scratch and write ``out`` and its model card; the card."""

    def __call__(self, spec: ModelSpec, train_set: Digits, test_set: Digits, out: Path, *, epochs: int | None, seed: int,
                 device: torch.device | str, limit: int | None, log: Callable[[str], None]) -> dict[str, Any]: ...  # fmt: skip


def _classifier(spec: ModelSpec, train_set: Digits, test_set: Digits, out: Path, **options: Any) -> dict[str, Any]:
    return train_classifier(spec, train_set, test_set, out, **options).card


TRAINERS: dict[str, Trainer] = {ClassifierRecipe.TRAINER: _classifier, StringRecipe.TRAINER: train_strings}


def trainer_of(spec: ModelSpec) -> Trainer:
    """The trainer ``spec``'s recipe names; a UserError for a model without a recipe."""
    if spec.recipe is None:  # opened from a file or a library: its weights are made elsewhere
        made_by = spec.weights.meta.get("source", "elsewhere")
        raise UserError(f"{spec.name} has no training recipe here (its weights come from {made_by})")
    name = spec.recipe.TRAINER
    if name not in TRAINERS:
        raise UserError(f"{spec.name}'s recipe names trainer {name!r}; known: {', '.join(TRAINERS)}")
    return TRAINERS[name]


def train(spec: ModelSpec, train_set: Digits, test_set: Digits, out: Path, *, epochs: int | None = None, seed: int = 0,
          device: torch.device | str = "cpu", limit: int | None = None, log: Callable[[str], None] = print) -> TrainResult:  # fmt: skip
    """Train ``spec`` with the trainer its recipe names; its weights in ``out``, its card beside them."""
    card = trainer_of(spec)(spec, train_set, test_set, out, epochs=epochs, seed=seed, device=device, limit=limit, log=log)
    return TrainResult(out, card)
