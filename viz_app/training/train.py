"""Training a registered MNIST model and writing its weights and model card."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from viz_app.errors import UserError
from viz_app.files import atomic_path
from viz_app.models.inputs import digits_to_tensor
from viz_app.models.recipes import ClassifierRecipe
from viz_app.models.registry import ModelSpec
from viz_app.models.weights import write_card
from viz_app.training.augment import random_affine
from viz_app.training.cards import activation_ranges, provenance
from viz_app.training.evaluate import evaluate
from viz_app.training.mnist import Digits


@dataclass(frozen=True)
class TrainResult:
    """Where the trained weights went, and the model card written beside them."""

    weights: Path
    card: dict[str, Any]


def classifier_recipe(spec: ModelSpec, epochs: int | None = None) -> ClassifierRecipe:
    """``spec``'s classifier recipe, with ``epochs`` instead of its own when given."""
    if not isinstance(spec.recipe, ClassifierRecipe):
        raise UserError(f"{spec.name} is not trained as a classifier here")
    return spec.recipe if epochs is None else dataclasses.replace(spec.recipe, epochs=epochs)


def training_loss(model: nn.Module, output: torch.Tensor, target: torch.Tensor, smoothing: float = 0.0) -> torch.Tensor:
    """The model's own training loss where it has one (LeNet-5 1998's RBF), else cross-entropy."""
    custom = getattr(model, "training_loss", None)
    if custom is not None:
        return custom(output, target)
    return F.cross_entropy(output, target, label_smoothing=smoothing)


def _print(line: str) -> None:
    print(line, flush=True)


def train_classifier(
    spec: ModelSpec,
    train_set: Digits,
    test_set: Digits,
    out: Path,
    *,
    epochs: int | None = None,
    seed: int = 0,
    device: torch.device | str = "cpu",
    limit: int | None = None,
    log: Callable[[str], None] = _print,
) -> TrainResult:
    """Train a classifier ``spec`` from scratch with its recipe and write ``out`` plus ``out.json``
    (``training.trainers.train`` picks this trainer or another by the recipe)."""
    if epochs is not None and epochs < 1:
        raise UserError(f"epochs must be 1 or more, got {epochs}")
    if limit is not None and limit < 1:
        raise UserError(f"limit must be 1 or more images, got {limit}")
    recipe = classifier_recipe(spec, epochs)
    device = torch.device(device)
    torch.manual_seed(seed)
    model = spec.build().to(device)
    images = train_set.images[:limit] if limit is not None else train_set.images
    labels = torch.as_tensor(train_set.labels[:limit] if limit is not None else train_set.labels)
    x_all = digits_to_tensor(images, spec, device)  # N x 1 x 32 x 32
    y_all = labels.to(device)
    started = time.perf_counter()
    _fit(model, x_all, y_all, recipe, torch.Generator().manual_seed(seed), log)
    seconds = time.perf_counter() - started

    model.eval().cpu()
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as part:  # a full disk leaves no truncated weights under ``out``
        torch.save({k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}, part)
    final = evaluate(model, spec, test_set, torch.device("cpu"))
    log(f"test accuracy {final.accuracy:.4%} ({final.errors} errors)")
    card = {
        "model": spec.name,
        "title": spec.title,
        "test_accuracy": final.accuracy,
        "test_error": 1.0 - final.accuracy,
        "test_errors": final.errors,
        "n_test": final.n,
        "parameters": sum(p.numel() for p in model.parameters()),
        "recipe": recipe.as_card() | {"train_samples": len(y_all)},
        "seed": seed,
        "train_seconds": round(seconds, 1),
        "train_device": f"{device.type} ({torch.get_num_threads()} threads)" if device.type == "cpu" else str(device),
        "data": {"train_sha256": train_set.checksum, "test_sha256": test_set.checksum},
        "activation_ranges": activation_ranges(model, spec, test_set),
    } | provenance(spec)
    extras = getattr(model, "card_extras", None)  # a model may add its own facts, e.g. a paper's figures
    if callable(extras):
        card.update(extras(final.accuracy))
    write_card(out, card)
    return TrainResult(out, card)


def _fit(
    model: nn.Module, x_all: torch.Tensor, y_all: torch.Tensor, recipe: ClassifierRecipe, generator: torch.Generator, log: Callable[[str], None]
) -> None:
    """``recipe.epochs`` epochs of AdamW with a one-cycle schedule, one log line per epoch."""
    batch_size = recipe.batch_size
    steps_per_epoch = max(1, len(y_all) // batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=recipe.lr, total_steps=recipe.epochs * steps_per_epoch, pct_start=recipe.pct_start
    )
    started = time.perf_counter()
    for epoch in range(recipe.epochs):
        model.train()
        order = torch.randperm(len(y_all), generator=generator).to(x_all.device)
        total, correct = 0.0, 0
        for step in range(steps_per_epoch):
            idx = order[step * batch_size : (step + 1) * batch_size]
            x, y = x_all[idx], y_all[idx]
            if recipe.augment is not None:
                x = random_affine(x, recipe.augment, generator)
            output = model(x)  # N x 10
            loss = training_loss(model, output, y, recipe.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += float(loss.detach())
            correct += int((output.detach().argmax(1) == y).sum())
        # The test set is scored once, at the end; per epoch the (distorted) training batches say how it goes.
        seen = steps_per_epoch * batch_size
        elapsed = time.perf_counter() - started
        log(f"epoch {epoch + 1}/{recipe.epochs}  loss {total / steps_per_epoch:.4f}  train accuracy {correct / seen:.4%}  ({elapsed:.0f} s)")
