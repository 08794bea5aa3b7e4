"""The "unit" and "filters" extras through the pipeline: activation, kernels and receptive field of one channel."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from torchvision_models import torchvision_loaded

from viz_app.models import load_model
from viz_app.models.inputs import frame_to_tensor
from viz_app.probe.extras import make_extra
from viz_app.probe.hooks import count_hooks
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame

pytestmark = pytest.mark.usefixtures("one_torch_thread")



@pytest.fixture(scope="module")
def lenet():
    return load_model("lenet5")


def unit_record(loaded, layer: str, index: int, image: np.ndarray):
    with Pipeline(loaded) as pipeline:
        pipeline.add_extra(make_extra("unit", loaded, {"layer": layer, "index": index}))
        result = pipeline.process(Frame(image, time.perf_counter()))
    return result, result.extras["unit"]


@pytest.mark.parametrize("layer, index", [("c1", 2), ("s2", 5), ("c3", 9), ("s4", 0), ("f6", 17), ("output", 4)])
def test_activation_is_the_channel(lenet, mnist_test, layer: str, index: int) -> None:
    image = mnist_test.images[5]
    _, record = unit_record(lenet, layer, index, image)
    x, _ = frame_to_tensor(image, lenet.spec, lenet.device)
    captured = {}
    handle = dict(lenet.model.named_modules())[layer].register_forward_hook(lambda m, i, o: captured.__setitem__("o", o))
    with torch.inference_mode():
        lenet.model(x)
    handle.remove()
    expected = captured["o"][0, index].numpy()
    np.testing.assert_allclose(record.activation, expected.reshape(record.activation.shape), rtol=1e-5, atol=1e-6)
    assert record.peak == np.unravel_index(np.argmax(record.activation), record.activation.shape)


def test_first_layer_kernel_and_receptive_field(lenet, mnist_test) -> None:
    _, record = unit_record(lenet, "c1", 3, mnist_test.images[7])
    weight = lenet.model.c1[0].weight[3, 0].numpy()  # 5 x 5
    assert record.kernel_source == "c1.0" and record.kernels.shape == (5, 5)
    lo, hi = record.kernel_range
    assert hi == pytest.approx(np.abs(weight).max(), rel=1e-5) and lo == -hi
    # The image shows the weights on a diverging scale: 0 in the middle, extremes at 0 or 255.
    np.testing.assert_allclose(record.kernels, np.round((weight - lo) / (hi - lo) * 255), atol=1)
    r, c = record.peak
    assert record.receptive_field == (c, r, c + 5, r + 5)  # a 5x5 window at the peak (no padding)


@pytest.mark.parametrize("layer, size, jump", [("s2", 6, 2), ("c3", 14, 2), ("s4", 16, 4)])
def test_deeper_receptive_fields(lenet, mnist_test, layer: str, size: int, jump: int) -> None:
    _, record = unit_record(lenet, layer, 1, mnist_test.images[8])
    r, c = record.peak
    x0, y0, x1, y1 = record.receptive_field
    assert (x0, y0) == (c * jump, r * jump)
    assert (x1 - x0, y1 - y0) == (min(size, 32 - x0), min(size, 32 - y0))


def test_dense_unit_sees_everything(lenet, mnist_test) -> None:
    _, record = unit_record(lenet, "f6", 0, mnist_test.images[9])
    assert record.activation.shape == (1, 1)
    assert record.receptive_field == (0, 0, 32, 32)
    assert record.kernels.shape == (1, 120)  # its 120 incoming weights as a strip
    _, pooled = unit_record(lenet, "s2", 0, mnist_test.images[9])
    assert pooled.kernels is None  # pooling has no weights


def test_bad_selection_is_refused_clearly(lenet) -> None:
    with pytest.raises(IndexError, match="has 6 channels"):
        make_extra("unit", lenet, {"layer": "c1", "index": 6})
    with pytest.raises(KeyError, match="no layer"):
        make_extra("unit", lenet, {"layer": "c7", "index": 0})


def test_filters_gray_and_rgb(lenet) -> None:
    gray = make_extra("filters", lenet, {}).unpack([])
    assert gray.layer == "c1.0" and gray.count == 6 and gray.tile == (5, 5)
    assert gray.image.shape == (2 * 5, 3 * 5)  # 6 filters in a 2 x 3 grid
    weights = lenet.model.c1[0].weight[:, 0].numpy()
    assert gray.value_range[1] == pytest.approx(np.abs(weights).max(), rel=1e-5)
    resnet = torchvision_loaded("resnet18")
    rgb = make_extra("filters", resnet, {}).unpack([])
    assert rgb.count == 64 and rgb.tile == (7, 7) and rgb.image.shape == (8 * 7, 8 * 7, 3)
    assert count_hooks(resnet.model) == 0


def test_resnet_receptive_field_grows_by_stage() -> None:
    loaded = torchvision_loaded("resnet18")
    image = np.zeros((224, 224), np.uint8)
    image[60:160, 100:124] = 255
    _, record = unit_record(loaded, "layer1", 0, image)
    x0, y0, x1, y1 = record.receptive_field
    r, c = record.peak
    # resnet18's layer1: 43 x 43 pixels, 4 pixels between units, centred (padding 21).
    assert (x0, y0) == (max(0, 4 * c - 21), max(0, 4 * r - 21))
    assert (x1, y1) == (min(224, 4 * c - 21 + 43), min(224, 4 * r - 21 + 43))
