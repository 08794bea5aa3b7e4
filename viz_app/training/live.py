"""Training live: a zoo model learning MNIST one batch at a time, with what a viewer watches.

``LiveTrainer`` takes one step at a time (``step``), so that whoever runs it can pause, step,
change the learning rate or the batch size between two batches, and show the first layer's
filters as they change. Every few seconds it scores the weights on 1,000 held-out test digits
(``held_out``: the first of the test set's, never trained on). A loss that is no longer finite
(a learning rate far too high) raises ``Diverged``; the model is then back at its last good
weights, those of the last step whose loss was finite. `cnn-viz train-live` runs it headless
(``viz_app.commands.train_live``); the Train panel runs it in a child process.
"""

from __future__ import annotations

import copy
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from torch import nn

from viz_app.errors import UserError
from viz_app.models.inputs import digits_to_tensor
from viz_app.models.registry import ModelSpec
from viz_app.models.zoo.recipes import AUGMENT
from viz_app.records.training import LiveSettings, Step
from viz_app.training.augment import random_affine
from viz_app.training.mnist import Digits
from viz_app.training.train import training_loss

HELD_OUT = 1000  # test digits scored while training (the first ones of the test set)


class Diverged(UserError):
    """The loss became NaN or infinite: the model is back at its last good weights."""


def check_trainable(name: str) -> ModelSpec:
    """The zoo model ``name`` if it can learn MNIST live (a digit classifier with a recipe here);
    otherwise a UserError in one line that says why and what can."""
    from viz_app.models.recipes import ClassifierRecipe
    from viz_app.models.registry import list_specs

    spec = next((s for s in list_specs() if s.name == name), None)  # never opens a file: a model's code runs only when asked
    if spec is None or not isinstance(spec.recipe, ClassifierRecipe):
        raise UserError("Train works on the MNIST zoo's digit classifiers (LeNet-5, vgg and vgg_bn, resnet...); "
                        "pick one in the Model picker")  # fmt: skip
    return spec


class LiveTrainer:
    """``spec``'s model learning ``train``; ``score()`` on the first ``HELD_OUT`` digits of ``test``."""

    def __init__(self, spec: ModelSpec, train: Digits, test: Digits, settings: LiveSettings | None = None,
                 model: nn.Module | None = None) -> None:  # fmt: skip
        self.spec = spec
        settings = settings or LiveSettings()
        self.settings = settings.checked()
        torch.manual_seed(settings.seed)
        self.model = model if model is not None else spec.build()
        self._x = digits_to_tensor(train.images, spec)  # N x 1 x 32 x 32, prepared once
        self._y = torch.as_tensor(train.labels)
        self._x_test = digits_to_tensor(test.images[:HELD_OUT], spec)
        self._y_test = torch.as_tensor(test.labels[:HELD_OUT])
        self._generator = torch.Generator().manual_seed(settings.seed)
        self._order = torch.randperm(len(self._y), generator=self._generator)
        self._at = 0
        self.steps = 0
        self.epoch = 0
        self.seconds = 0.0
        self._rate: list[tuple[float, int]] = []  # (seconds, examples) of the last steps
        self.last: Step | None = None  # the last step's figures
        self.optimiser = self._optimiser()
        self._good = self._snapshot()

    def _optimiser(self) -> torch.optim.Optimizer:
        lr, name = self.settings.learning_rate, self.settings.optimiser
        if name == "adam":
            return torch.optim.Adam(self.model.parameters(), lr=lr)
        return torch.optim.SGD(self.model.parameters(), lr=lr, momentum=0.9 if name == "momentum" else 0.0)

    def change(self, settings: LiveSettings) -> None:
        """New settings from the next step on (a new optimiser starts afresh; a new rate keeps its state)."""
        settings = settings.checked()
        if settings.optimiser != self.settings.optimiser:
            self.settings = settings
            self.optimiser = self._optimiser()
        else:
            self.settings = settings
            for group in self.optimiser.param_groups:
                group["lr"] = settings.learning_rate

    def step(self) -> Step:
        """Train on one batch; Diverged (the last good weights back) when its loss is not finite."""
        started = time.perf_counter()
        n = self.settings.batch_size
        if self._at + n > len(self._order):
            self._order = torch.randperm(len(self._y), generator=self._generator)
            self._at = 0
            self.epoch += 1
        idx = self._order[self._at : self._at + n]
        self._at += n
        x, y = self._x[idx], self._y[idx]
        if self.settings.augment:
            x = random_affine(x, AUGMENT, self._generator)
        self.model.train()
        output = self.model(x)
        loss = training_loss(self.model, output, y)
        if not torch.isfinite(loss):
            self.restore_good()
            raise Diverged(f"the loss became {float(loss.detach())} at step {self.steps + 1} (learning rate {self.settings.learning_rate:g}): "
                           "the model is back at its last good weights; lower the learning rate")  # fmt: skip
        self._good = self._snapshot()  # these weights gave a finite loss
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        if not all(torch.isfinite(p).all() for p in self.model.parameters()):
            self.restore_good()
            raise Diverged(f"the weights became NaN or infinite at step {self.steps + 1} (learning rate {self.settings.learning_rate:g}): "
                           "the model is back at its last good weights; lower the learning rate")  # fmt: skip
        self.steps += 1
        self.seconds += time.perf_counter() - started
        self._rate = [*self._rate[-49:], (self.seconds, n)]
        span = self._rate[-1][0] - self._rate[0][0]
        rate = sum(k for _, k in self._rate[1:]) / span if span > 0 else 0.0
        accuracy = float((output.detach().argmax(1) == y).float().mean())
        self.last = Step(self.steps, self.epoch, self.seconds, float(loss.detach()), accuracy, rate)
        return self.last

    @torch.no_grad()
    def score(self) -> float:
        """Accuracy on the held-out test digits, now."""
        self.model.eval()
        return float((self.model(self._x_test).argmax(1) == self._y_test).float().mean())

    def restore_good(self) -> None:
        """Back to the last weights (and optimiser state) whose loss was finite."""
        weights, state = self._good
        self.model.load_state_dict(weights)
        self.optimiser.load_state_dict(state)

    def _snapshot(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        weights = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        return weights, copy.deepcopy(self.optimiser.state_dict())

    def recipe(self) -> dict[str, Any]:
        """What the weights were trained with, for their model card."""
        return {"trainer": "train-live", **asdict(self.settings), "lr": self.settings.learning_rate, "steps": self.steps,
                "epochs_begun": self.epoch + 1, "train_seconds": round(self.seconds, 1)}  # fmt: skip



def save_weights(path: Path, trainer: LiveTrainer, accuracy: float, errors: int, start: str) -> Path:
    """Write the trainer's weights to ``path`` (whole or not at all) and their model card beside
    them: the test accuracy and the recipe they were trained with. The Model picker reads them
    as any weights file with a card."""
    from viz_app.files import atomic_path
    from viz_app.models.weights import write_card

    with atomic_path(path) as part:
        torch.save({k: v.detach().clone().contiguous() for k, v in trainer.model.state_dict().items()}, part)
    card = {"model": trainer.spec.name, "title": trainer.spec.title, "test_accuracy": accuracy, "test_errors": errors,
            "recipe": trainer.recipe() | {"from": start}}  # fmt: skip
    write_card(path, card)
    return path
