"""`cnn-viz train` in small: a recipe, a few steps, weights and a card that load back."""

from __future__ import annotations

from pathlib import Path

import pytest

from viz_app.errors import UserError
from viz_app.models import get_spec, load_model
from viz_app.models.recipes import AffineRange, ClassifierRecipe, StringRecipe, recipe_from_card
from viz_app.training.mnist import Digits
from viz_app.training.train import classifier_recipe
from viz_app.training.trainers import TRAINERS, train, trainer_of


def test_a_recipe_is_read_with_its_distortions() -> None:
    recipe = classifier_recipe(get_spec("lenet5"), epochs=2)
    assert recipe.epochs == 2 and recipe.batch_size > 0 and recipe.lr > 0
    assert isinstance(recipe.augment, AffineRange) and len(recipe.augment.scale) == 2
    assert get_spec("lenet5").recipe is not None and get_spec("lenet5").recipe.epochs == 20  # the spec's own stays


@pytest.mark.parametrize("name", ["lenet5", "lenet5_1998", "vgg_bn", "sdnn"])
def test_a_recipe_comes_back_from_its_card(name: str) -> None:
    """A card keeps its recipe as JSON (tuples as lists); reading it back gives the recipe."""
    import json

    recipe = get_spec(name).recipe
    assert recipe is not None
    written = json.loads(json.dumps(recipe.as_card() | {"train_samples": 60000}))
    assert written["trainer"] == recipe.TRAINER and isinstance(written["augment"]["scale"], list)
    assert recipe_from_card(written) == recipe


def test_a_card_without_a_recipe_is_refused() -> None:
    with pytest.raises(ValueError, match="not a training recipe"):
        recipe_from_card({"trainer": "strings", "epochs": 3})
    with pytest.raises(ValueError, match="not a training recipe"):
        recipe_from_card({"augment": {"degrees": 1.0}})


def test_each_recipe_type_finds_its_trainer_and_a_model_without_one_is_refused() -> None:
    assert isinstance(get_spec("lenet5").recipe, ClassifierRecipe) and isinstance(get_spec("sdnn").recipe, StringRecipe)
    assert trainer_of(get_spec("lenet5")) is TRAINERS["classes"] and trainer_of(get_spec("sdnn")) is TRAINERS["strings"]
    with pytest.raises(UserError, match="no training recipe here .*torchvision"):
        trainer_of(get_spec("imagenet_resnet18"))


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
