"""Training recipes: the weight average ("ema") is what gets shipped when a recipe asks for it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

from viz_app.models import get_spec
from viz_app.training.mnist import Digits, load_split
from viz_app.training.train import train


def _train(recipe_extra: dict, out: Path, train_set: Digits, test_set: Digits) -> dict[str, torch.Tensor]:
    spec = get_spec("lenet5")
    spec = dataclasses.replace(spec, recipe={**spec.recipe, "augment": None, **recipe_extra})
    result = train(spec, train_set, test_set, out, epochs=1, limit=1024, log=lambda line: None)
    assert result.card["recipe"].get("ema") == recipe_extra.get("ema")
    return torch.load(out, weights_only=True)


def test_ema_weights_are_shipped(mnist_dir: Path, mnist_test: Digits, tmp_path: Path, one_torch_thread) -> None:
    train_set = load_split("train", mnist_dir)
    test_set = Digits(mnist_test.images[:500], mnist_test.labels[:500], "first 500")
    plain = _train({}, tmp_path / "plain.pt", train_set, test_set)
    same = _train({"ema": 0.0}, tmp_path / "ema0.pt", train_set, test_set)  # decay 0: the average is the last step
    averaged = _train({"ema": 0.9}, tmp_path / "ema.pt", train_set, test_set)
    assert list(plain) == list(same) == list(averaged)  # the same state dict keys: loads like any other
    assert all(torch.equal(plain[k], same[k]) for k in plain)
    assert any(not torch.equal(plain[k], averaged[k]) for k in plain)
