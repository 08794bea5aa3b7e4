"""The "saliency" extra through the pipeline: Grad-CAM as defined, the input gradient on the ink, no hooks left."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from torchvision_models import torchvision_loaded

from viz_app.models import load_model
from viz_app.models.inputs import frame_to_tensor
from viz_app.opencv import cv2
from viz_app.probe.extras import make_extra
from viz_app.probe.hooks import count_hooks
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame
from viz_app.sources.strokes import StrokeCanvas

pytestmark = pytest.mark.usefixtures("one_torch_thread")



@pytest.fixture(scope="module")
def lenet():
    return load_model("lenet5")


def near_ink(pixels: np.ndarray, radius: int = 2) -> np.ndarray:
    ink = (pixels > 0).astype(np.uint8)
    return cv2.dilate(ink, np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)).astype(bool)


def reference_grad_cam(model: torch.nn.Module, layer: torch.nn.Module, x: torch.Tensor, centre0: float, jump: float) -> np.ndarray:
    """Grad-CAM written out by hand: ReLU(sum_c mean(dy/dA_c) A_c), / max, laid on the input
    with unit i at pixel centre0 + i * jump and linear in between (constant beyond the end units)."""
    store = {}
    handle = layer.register_forward_hook(lambda m, i, o: store.__setitem__("a", o))
    try:
        with torch.enable_grad():
            logits = model(x.clone().requires_grad_(True))
            a = store["a"]
            a.retain_grad()
            logits[0, logits[0].argmax()].backward()
    finally:
        handle.remove()
    cam = torch.relu((a.grad.mean((2, 3), keepdim=True) * a).sum(1))[0].detach().numpy()  # h x w
    units = centre0 + jump * np.arange(cam.shape[0])
    pixels = np.arange(x.shape[-1])
    rows = np.stack([np.interp(pixels, units, row) for row in cam])  # h x W
    laid = np.stack([np.interp(pixels, units, col) for col in rows.T], axis=1)  # H x W
    return laid / laid.max()


def test_grad_cam_matches_its_definition(lenet, mnist_test) -> None:
    frame = Frame(mnist_test.images[0], time.perf_counter())
    with Pipeline(lenet) as pipeline:
        pipeline.add_extra(make_extra("saliency", lenet, {"method": "gradcam"}))
        result = pipeline.process(frame)
    record = result.extras["saliency"]
    assert record.layer == "c3" and record.method == "gradcam"  # the last convolutional stage
    assert record.class_index == result.prediction
    assert record.heatmap.shape == (32, 32) and record.heatmap.dtype == np.uint8
    x, _ = frame_to_tensor(frame.image, lenet.spec, lenet.device)
    # C3's unit i looks at input pixels 2i..2i+13 (two unpadded 5x5 convolutions, one 2x2 pool): centre 2i + 6.5.
    expected = reference_grad_cam(lenet.model, lenet.model.c3, x, centre0=6.5, jump=2.0)
    assert np.abs(record.heatmap.astype(float) - expected * 255).max() <= 1.0
    np.testing.assert_array_equal(record.input_image, result.network_input)


def test_grad_cam_heat_sits_on_the_digit(lenet, mnist_test) -> None:
    """Laid where C3's units look, Grad-CAM puts more of its heat near the ink than the ink's share of the image."""
    ratios = []
    with Pipeline(lenet, layers=[]) as pipeline:
        pipeline.add_extra(make_extra("saliency", lenet, {"method": "gradcam"}))
        for i in range(60):
            record = pipeline.process(Frame(mnist_test.images[i], time.perf_counter())).extras["saliency"]
            ink, heat = near_ink(record.input_image), record.heatmap.astype(float)
            if heat.sum() > 0:  # some digits give no positive evidence on C3
                ratios.append((heat[ink].sum() / heat.sum()) / ink.mean())
    assert len(ratios) >= 50
    print(f"median heat-on-ink / ink-area {np.median(ratios):.2f}")
    assert np.median(ratios) > 1.1


def test_default_saliency_of_a_digit_peaks_on_the_ink(lenet, mnist_test) -> None:
    on_ink = 0
    with Pipeline(lenet, layers=[]) as pipeline:
        pipeline.add_extra(make_extra("saliency", lenet, {}))
        for i in range(60):
            record = pipeline.process(Frame(mnist_test.images[i], time.perf_counter())).extras["saliency"]
            assert record.method == "gradient"  # "auto" on a digit model
            peak = np.unravel_index(np.argmax(record.heatmap), record.heatmap.shape)
            on_ink += near_ink(record.input_image)[peak]
    assert on_ink >= 54  # at least 90% within 2 pixels of the ink


def test_drawn_digit_saliency_peaks_on_the_ink(lenet) -> None:
    canvas = StrokeCanvas()
    canvas.draw_polyline([(80, 60), (200, 60), (120, 240)])  # a 7
    with Pipeline(lenet, layers=[]) as pipeline:
        pipeline.add_extra(make_extra("saliency", lenet, {}))
        record = pipeline.process(Frame(canvas.ink.copy(), time.perf_counter())).extras["saliency"]
    peak = np.unravel_index(np.argmax(record.heatmap), record.heatmap.shape)
    assert near_ink(record.input_image)[peak]
    assert record.cam_max > 0


def test_resnet18_uses_layer4_and_leaves_no_hooks() -> None:
    loaded = torchvision_loaded("resnet18")
    canvas = StrokeCanvas()
    canvas.draw_polyline([(140, 30), (140, 250)])
    with Pipeline(loaded, layers=[]) as pipeline:
        pipeline.add_extra(make_extra("saliency", loaded, {}))
        for _ in range(3):
            record = pipeline.process(Frame(canvas.ink.copy(), time.perf_counter())).extras["saliency"]
        assert count_hooks(loaded.model) == 0
    assert record.layer == "layer4" and record.method == "gradcam"  # "auto" on a photo model
    assert record.heatmap.shape == (224, 224) and record.input_image.shape == (224, 224, 3)
    assert record.heatmap.max() == 255 or record.cam_max == 0


def test_unknown_method_or_layer_is_refused(lenet) -> None:
    with pytest.raises(ValueError, match="unknown saliency method"):
        make_extra("saliency", lenet, {"method": "magic"})
    with pytest.raises(KeyError, match="no layer"):
        make_extra("saliency", lenet, {"layer": "c9"})
