"""The per-frame pipeline: hooks capture every layer once, results are numpy only, hooks come off."""

import gc
import time
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from viz_app.models import load_model
from viz_app.probe.hooks import LayerProbe, count_hooks
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame, NormMode
from viz_app.sources.scripted import scaled_strokes
from viz_app.sources.strokes import StrokeCanvas

LENET_SHAPES = {
    "c1": (6, 28, 28),
    "s2": (6, 14, 14),
    "c3": (16, 10, 10),
    "s4": (16, 5, 5),
    "c5": (120,),
    "f6": (84,),
    "output": (10,),
}


def drawn(digit: int, pen: float = 20.0) -> np.ndarray:
    canvas = StrokeCanvas(280, pen)
    for stroke in scaled_strokes(digit, 280):
        canvas.draw_polyline(stroke)
    return canvas.ink.copy()


@pytest.fixture(scope="module")
def lenet():
    return load_model("lenet5", "cpu", strict=True)


def test_every_layer_captured_once_per_frame(lenet):
    with Pipeline(lenet) as pipeline:
        for seq in range(3):
            result = pipeline.process(Frame(drawn(3), time.perf_counter(), seq))
            assert pipeline.probe.calls == dict.fromkeys(LENET_SHAPES, 1)
    assert {layer.name: layer.shape for layer in result.layers} == LENET_SHAPES
    titles = [layer.title for layer in result.layers]
    assert titles[:4] == ["C1 6@28x28", "S2 6@14x14", "C3 16@10x10", "S4 16@5x5"]
    assert titles[4:] == ["C5 120", "F6 84", "Output 10"]


def test_result_holds_numpy_only(lenet):
    with Pipeline(lenet) as pipeline:
        result = pipeline.process(Frame(drawn(5), time.perf_counter()))
    for layer in result.layers:
        assert isinstance(layer.image, np.ndarray) and layer.image.dtype == np.uint8
        assert layer.image.flags.c_contiguous
    assert result.network_input.shape == (32, 32) and result.network_input.dtype == np.uint8
    assert result.probabilities.dtype == np.float32
    assert result.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert not any(isinstance(v, torch.Tensor) for v in vars(result).values())


@pytest.mark.parametrize("digit", range(10))
def test_drawn_digits_are_recognised(lenet, digit):
    with Pipeline(lenet) as pipeline:
        result = pipeline.process(Frame(drawn(digit), time.perf_counter()))
    assert not result.empty
    assert result.prediction == digit


def test_network_input_is_the_padded_centred_digit(lenet):
    with Pipeline(lenet) as pipeline:
        result = pipeline.process(Frame(drawn(7), time.perf_counter()))
    seen = result.network_input
    assert seen[:2].max() == 0 and seen[-2:].max() == 0 and seen[:, :2].max() == 0  # the 2-pixel pad
    rows = np.flatnonzero(seen.max(axis=1) > 0)
    assert 19 <= rows[-1] - rows[0] + 1 <= 22  # 20-pixel box, anti-aliased


def test_blank_pad_is_marked_empty(lenet):
    with Pipeline(lenet) as pipeline:
        result = pipeline.process(Frame(np.zeros((280, 280), np.uint8), time.perf_counter()))
    assert result.empty and result.network_input.max() == 0


def test_window_preprocessing_matches_training(lenet, mnist_test):
    """MNIST test digits put through the pad's preprocessing keep the model's accuracy."""
    with Pipeline(lenet) as pipeline:
        hits = sum(
            pipeline.process(Frame(image, 0.0)).prediction == label
            for image, label in zip(mnist_test.images[:500], mnist_test.labels[:500])
        )
    assert hits / 500 >= 0.985


def test_norm_modes_change_the_colour_range(lenet):
    frame = Frame(drawn(2), time.perf_counter())
    with Pipeline(lenet) as pipeline:
        per_layer = pipeline.process(frame).layers[0]
        pipeline.norm = NormMode.FIXED
        fixed = pipeline.process(frame).layers[0]
    assert (fixed.lo, fixed.hi) == pytest.approx(tuple(lenet.card["activation_ranges"]["c1"]))
    assert per_layer.hi == pytest.approx(float(per_layer.hi))
    assert not np.array_equal(per_layer.image, fixed.image)


def test_output_layer_is_signed_and_relu_layers_are_not(lenet):
    with Pipeline(lenet) as pipeline:
        signed = {layer.name: layer.signed for layer in pipeline.process(Frame(drawn(1), 0.0)).layers}
    assert signed["output"] and not signed["c1"] and not signed["f6"]


def test_probe_clones_outputs_that_inplace_ops_rewrite():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(inplace=True))
    with LayerProbe(model, ["0"]) as probe:
        with torch.no_grad():
            x = torch.randn(1, 1, 8, 8)
            model(x)
            expected = model[0](x)
        assert (probe.outputs["0"] < 0).any()  # the conv output before the in-place ReLU
        assert torch.allclose(probe.outputs["0"], expected)


def test_unknown_layer_is_a_clear_error():
    with pytest.raises(KeyError, match="no such layer"):
        LayerProbe(nn.Linear(2, 2), ["nope"])


def _live_tensors() -> int:
    gc.collect()
    with warnings.catch_warnings():  # isinstance() pokes deprecated torch.distributed aliases
        warnings.simplefilter("ignore")
        return sum(1 for o in gc.get_objects() if isinstance(o, torch.Tensor))


def test_hooks_and_memory_do_not_grow_over_100_replacements(lenet):
    model = lenet.model
    frame = Frame(drawn(4), time.perf_counter())
    with Pipeline(lenet) as pipeline:  # warm up caches before counting
        pipeline.process(frame)
    hooks, tensors = count_hooks(model), _live_tensors()
    for _ in range(100):
        with Pipeline(lenet) as pipeline:
            pipeline.process(frame)
    assert count_hooks(model) == hooks == 0
    assert _live_tensors() <= tensors + 2


def test_fresh_models_leave_no_hooks_behind():
    import resource

    frame = Frame(drawn(8), time.perf_counter())
    rss_before = None
    for i in range(100):
        loaded = load_model("lenet5", "cpu")
        with Pipeline(loaded) as pipeline:
            pipeline.process(frame)
        assert count_hooks(loaded.model) == 0
        if i == 10:
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert growth_kib < 20_000
