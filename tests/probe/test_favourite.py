"""The favourite input: it raises the unit far above its mean, within seconds, and leaves the
model as it found it (no hook, no gradient, no weight that asks for one)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz_app.models import load_model
from viz_app.models.inputs import normalise
from viz_app.probe.extras.unit import layer_output
from viz_app.probe.favourite import favourite_input, unit_value
from viz_app.probe.hooks import count_hooks
from viz_app.probe.unit_index import index_path, read_index

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def lenet():
    return load_model("lenet5")


@pytest.mark.parametrize("layer, unit", [("c1", 0), ("c3", 3), ("c5", 0), ("f6", 3)])
def test_the_favourite_input_raises_the_unit(lenet, layer: str, unit: int) -> None:
    mean = float(read_index(index_path(lenet.spec)).layers[layer].mean[unit])
    ascent = favourite_input(lenet.model, lenet.spec, layer, unit)
    assert ascent.value >= 10 * mean > 0, (ascent.value, mean)
    assert ascent.seconds > 0 and ascent.steps > 0  # how long it takes is a benchmark's figure, not a test's
    assert ascent.image.shape == (32, 32) and ascent.image.dtype == np.uint8
    # The value reported is the unit's activation on the image returned.
    x = normalise(torch.from_numpy(ascent.image).float().div(255).view(1, 1, 32, 32), lenet.spec)
    with torch.inference_mode():
        value = float(unit_value(layer_output(lenet.model, dict(lenet.model.named_modules())[layer], x), unit)[0])
    assert value == pytest.approx(ascent.value, rel=0.05, abs=0.05)  # the image is rounded to 8 bits


@pytest.mark.slow
def test_every_class_dreams_of_itself(lenet) -> None:
    """For the output units, the favourite input is classified as that class."""
    for digit in range(10):
        ascent = favourite_input(lenet.model, lenet.spec, "output", digit, steps=80)
        x = normalise(torch.from_numpy(ascent.image).float().div(255).view(1, 1, 32, 32), lenet.spec)
        with torch.inference_mode():
            assert int(lenet.model(x).argmax()) == digit


def test_nothing_is_left_on_the_model(lenet) -> None:
    before = {name: p.detach().clone() for name, p in lenet.model.named_parameters()}
    favourite_input(lenet.model, lenet.spec, "c5", 7, steps=20)
    assert count_hooks(lenet.model) == 0
    assert all(p.grad is None and not p.requires_grad for p in lenet.model.parameters())
    assert all(torch.equal(p, before[name]) for name, p in lenet.model.named_parameters())
    stopped = favourite_input(lenet.model, lenet.spec, "c3", 1, on_step=lambda step: step < 5)
    assert stopped.steps == 5 and count_hooks(lenet.model) == 0
    with pytest.raises(KeyError, match="no layer"):
        favourite_input(lenet.model, lenet.spec, "c9", 0)


def test_an_imagenet_model_gets_a_colour_favourite() -> None:
    from torchvision_models import torchvision_loaded

    loaded = torchvision_loaded("resnet18")
    ascent = favourite_input(loaded.model, loaded.spec, "layer1", 5, steps=6)
    assert ascent.image.shape == (224, 224, 3) and ascent.image.dtype == np.uint8
    assert ascent.value > ascent.start and ascent.steps == 6
    assert count_hooks(loaded.model) == 0 and all(p.grad is None for p in loaded.model.parameters())
