"""Training live (``viz_app.training.live``, `cnn-viz train-live`): LeNet-5 learning the real
MNIST from random weights one batch at a time, scored on held-out test digits; a learning rate
far too high stops with a message and the last good weights; bad settings end in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from viz_app.cli import main
from viz_app.errors import UserError
from viz_app.models import get_spec
from viz_app.models.loader import load_model
from viz_app.records.training import LiveSettings
from viz_app.training.live import HELD_OUT, Diverged, LiveTrainer
from viz_app.training.mnist import load_split


@pytest.fixture(scope="module")
def mnist_train(mnist_dir: Path):
    return load_split("train", mnist_dir)


def test_lenet5_learns_from_random_weights_batch_by_batch(mnist_train, mnist_test) -> None:
    trainer = LiveTrainer(get_spec("lenet5"), mnist_train, mnist_test, LiveSettings(seed=1))
    before = trainer.score()
    assert before < 0.3  # random weights: about one in ten
    filters = trainer.model.state_dict()["c1.0.weight"].clone()
    for _ in range(400):  # 25,600 digits, under half an epoch
        step = trainer.step()
    assert step.step == 400 and step.epoch == 0 and step.examples_per_s > 0 and 0 <= step.train_accuracy <= 1
    after = trainer.score()
    assert after >= 0.9, f"held-out accuracy after 400 steps: {after:.1%}"
    assert not torch.equal(filters, trainer.model.state_dict()["c1.0.weight"])  # C1's filters moved
    assert len(trainer._y_test) == HELD_OUT


def test_a_learning_rate_far_too_high_stops_with_the_last_good_weights(mnist_train, mnist_test) -> None:
    trainer = LiveTrainer(get_spec("lenet5"), mnist_train, mnist_test, LiveSettings("sgd", lr=1000.0, batch_size=8))
    with pytest.raises(Diverged, match="lower the learning rate") as caught:
        for _ in range(200):
            trainer.step()
    good = trainer.model.state_dict()
    assert all(torch.isfinite(v).all() for v in good.values())  # the last good weights, not NaN
    assert "last good weights" in str(caught.value)
    trainer.change(LiveSettings("sgd", lr=0.05))  # a sane rate: training goes on from there
    assert torch.isfinite(torch.tensor(trainer.step().loss))


@pytest.mark.parametrize(
    ("settings", "says"),
    [(LiveSettings(lr=0.0), "learning rate"), (LiveSettings(batch_size=0), "batch size"), (LiveSettings("rmsprop"), "optimiser")],
)
def test_settings_out_of_range_are_refused(settings, says) -> None:
    with pytest.raises(UserError, match=says):
        settings.checked()


def test_train_live_prints_the_curve_and_saves_weights_with_their_recipe(mnist_dir, tmp_path, capsys) -> None:
    out = tmp_path / "lenet5_live.pt"
    code = main(["train-live", "lenet5", "--seconds", "4", "--every", "1", "--data", str(mnist_dir), "--json", "--save", str(out)])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    curve = report["curve"]
    assert len(curve) >= 3 and curve[0]["step"] == 0 and curve[-1]["step"] > curve[0]["step"]
    assert curve[-1]["test_accuracy"] > curve[0]["test_accuracy"] and report["n_test"] == 10_000
    assert set(report["seconds_to"]) == {"90%", "95%", "97%", "98%"}
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["recipe"]["optimiser"] == "adam" and card["recipe"]["steps"] >= curve[-1]["step"] > 0
    assert card["test_accuracy"] == report["test_accuracy"]
    loaded = load_model("lenet5", "cpu", out, strict=True)  # the saved weights open as any weights file does
    assert loaded.trained


def test_a_bad_learning_rate_on_the_command_line_is_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["train-live", "lenet5", "--lr", "0"])
    assert exit_.value.code == 2 and "error" in capsys.readouterr().err
