"""Accuracy along the demo's scenes, on real MNIST test digits and the shipped LeNet-5."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz_app.models import load_model
from viz_app.sources.scenes import get_scene
from viz_app.training.evaluate import evaluate
from viz_app.training.mnist import Digits
from viz_app.training.robustness import format_table, robustness, transformed


@pytest.fixture(scope="module")
def lenet5():
    return load_model("lenet5", "cpu", strict=True)


@pytest.fixture(scope="module")
def subset(mnist_test) -> Digits:
    rng = np.random.default_rng(0)
    pick = rng.choice(len(mnist_test), 500, replace=False)
    return Digits(mnist_test.images[pick], mnist_test.labels[pick], "subset")


def test_no_shift_scores_what_eval_scores(lenet5, subset, one_torch_thread):
    curve = robustness(lenet5.model, lenet5.spec, subset, get_scene("translation"), torch.device("cpu"), values=[0])
    plain = evaluate(lenet5.model, lenet5.spec, subset, torch.device("cpu"))
    assert curve.steps[0].accuracy == pytest.approx(plain.accuracy, abs=0.002)


def test_accuracy_falls_where_it_must(lenet5, subset, one_torch_thread):
    cpu = torch.device("cpu")
    shift = robustness(lenet5.model, lenet5.spec, subset, get_scene("translation"), cpu, values=[0, 4, 10])
    assert [s.accuracy for s in shift.steps] == sorted((s.accuracy for s in shift.steps), reverse=True)
    assert shift.steps[0].accuracy > 0.98 and shift.steps[-1].accuracy < 0.5
    noise = robustness(lenet5.model, lenet5.spec, subset, get_scene("salt_pepper"), cpu, values=[0.0, 0.5])
    assert noise.steps[0].accuracy > noise.steps[1].accuracy
    turn = robustness(lenet5.model, lenet5.spec, subset, get_scene("rotation"), cpu, values=[0, 90])
    assert turn.steps[1].accuracy < 0.5 < turn.steps[0].accuracy
    assert all(0 <= s.true_probability <= 1 for c in (shift, noise, turn) for s in c.steps)


def test_transformed_batches_each_digit_through_the_scene(subset):
    scene = get_scene("rotation")
    batch = transformed(subset.images[:3], scene, 90)
    np.testing.assert_array_equal(batch[2], np.rot90(subset.images[2]))


def test_the_table_has_a_row_per_step_and_a_column_per_model(lenet5, subset, one_torch_thread):
    curve = robustness(lenet5.model, lenet5.spec, subset, get_scene("scale"), torch.device("cpu"), values=[0.5, 1.0])
    lines = format_table([curve, curve]).splitlines()
    assert len(lines) == 3 and lines[0].count("lenet5") == 2 and "%" in lines[1]


def test_only_digit_models_and_real_digits(lenet5):
    empty = Digits(np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64), "")
    with pytest.raises(ValueError, match="no digits"):
        robustness(lenet5.model, lenet5.spec, empty, get_scene("scale"), torch.device("cpu"))
    resnet = load_model("imagenet_resnet18", "cpu", download=lambda *a: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(ValueError, match="does not read MNIST digits"):
        robustness(resnet.model, resnet.spec, empty, get_scene("scale"), torch.device("cpu"))
