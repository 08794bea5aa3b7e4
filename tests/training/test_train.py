"""`cnn-viz train` in small: a recipe, a few steps, weights and a card that load back."""

from __future__ import annotations

from pathlib import Path

import pytest

from viz_app.models import get_spec, load_model
from viz_app.training.augment import AffineRange
from viz_app.training.mnist import Digits
from viz_app.training.train import Recipe
from viz_app.training.trainers import train


def test_a_recipe_is_read_with_its_distortions() -> None:
    recipe = Recipe.of(get_spec("lenet5"), epochs=2)
    assert recipe.epochs == 2 and recipe.batch_size > 0 and recipe.lr > 0
    assert isinstance(recipe.affine, AffineRange) and len(recipe.affine.scale) == 2
    assert AffineRange.from_recipe({"scale": [0.5, 2]}).scale == (0.5, 2.0)


@pytest.mark.usefixtures("one_torch_thread")
def test_a_short_training_writes_weights_and_a_card_that_load_back(tmp_path: Path, mnist_test: Digits) -> None:
    lines: list[str] = []
    out = tmp_path / "lenet5.pt"
    result = train(get_spec("lenet5"), mnist_test, mnist_test, out, epochs=1, limit=256, log=lines.append)
    assert result.weights == out and out.is_file() and out.with_suffix(".json").is_file()
    assert lines[0].startswith("epoch 1/1") and lines[-1].startswith("test accuracy")
    card = result.card
    assert card["recipe"]["epochs"] == 1 and card["recipe"]["train_samples"] == 256 and card["n_test"] == len(mnist_test)
    assert set(card["activation_ranges"]) == {name for name, _ in get_spec("lenet5").layers}
    loaded = load_model("lenet5", "cpu", out, strict=True)
    assert loaded.trained and loaded.card["test_accuracy"] == card["test_accuracy"]
