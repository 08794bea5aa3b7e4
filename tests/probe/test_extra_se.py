"""The "se" extra through the pipeline: live gates equal the SE modules' own computation."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch
from torchvision.ops import SqueezeExcitation
from torchvision_models import torchvision_loaded

from viz_app.models import load_model
from viz_app.models.inputs import digits_to_tensor, frame_to_tensor
from viz_app.models.loader import LoadedModel
from viz_app.probe.extras import make_extra
from viz_app.probe.extras.se import CARD_KEY, card_class_means, find_se_gates
from viz_app.probe.hooks import count_hooks
from viz_app.probe.pipeline import Pipeline
from viz_app.probe.se_stats import class_mean_excitation, store_in_card
from viz_app.records.frames import Frame
from viz_app.sources.strokes import StrokeCanvas

pytestmark = pytest.mark.usefixtures("one_torch_thread")





def drawn_frame() -> Frame:
    canvas = StrokeCanvas()
    canvas.draw_polyline([(90, 70), (150, 40), (190, 90), (100, 230), (200, 230)])  # a 2
    return Frame(canvas.ink.copy(), time.perf_counter())


def direct_gates(loaded: LoadedModel, x: torch.Tensor) -> dict[str, np.ndarray]:
    """Each SqueezeExcitation's gate recomputed from its input with the module's own layers."""
    inputs: dict[str, torch.Tensor] = {}
    handles = [m.register_forward_pre_hook(lambda m, i, n=n: inputs.__setitem__(n, i[0].clone()))
               for n, m in loaded.model.named_modules() if isinstance(m, SqueezeExcitation)]  # fmt: skip
    try:
        with torch.inference_mode():
            loaded.model(x)
            return {n: m._scale(inputs[n])[0].flatten().numpy() for n, m in loaded.model.named_modules() if n in inputs}
    finally:
        for h in handles:
            h.remove()


@pytest.mark.parametrize("arch, blocks", [("mobilenet_v3_large", 8), ("efficientnet_b0", 16), ("regnet_y_400mf", 16)])
def test_gates_match_the_modules(arch: str, blocks: int) -> None:
    loaded = torchvision_loaded(arch)
    frame = drawn_frame()
    with Pipeline(loaded, layers=[]) as pipeline:
        pipeline.add_extra(make_extra("se", loaded, {}))
        result = pipeline.process(frame)
        record = result.extras["se"]
        x, _ = frame_to_tensor(frame.image, loaded.spec, loaded.device)
    expected = direct_gates(loaded, x)
    assert record.has_blocks and len(record.blocks) == blocks
    assert [b.name for b in record.blocks] == list(expected)
    for block in record.blocks:
        assert block.weights.shape == expected[block.name].shape
        np.testing.assert_allclose(block.weights, expected[block.name], rtol=1e-5, atol=1e-6)
        assert block.weights.min() >= 0.0 and block.weights.max() <= 1.0
    assert record.prediction == result.prediction
    assert count_hooks(loaded.model) == 0


def test_zoo_se_resnet_blocks_are_found() -> None:
    loaded = load_model("se_resnet")
    names = [name for name, _ in find_se_gates(loaded.model)]
    assert names and all(name.endswith(".se") for name in names)
    with Pipeline(loaded) as pipeline:
        pipeline.add_extra(make_extra("se", loaded, {}))
        first = pipeline.process(drawn_frame()).extras["se"]
        canvas = StrokeCanvas()
        canvas.draw_polyline([(140, 30), (140, 250)])
        second = pipeline.process(Frame(canvas.ink.copy(), time.perf_counter())).extras["se"]
    assert [b.name for b in first.blocks] == names
    # The gates follow the input: a different digit moves at least one block's gates.
    assert any(not np.allclose(a.weights, b.weights) for a, b in zip(first.blocks, second.blocks))


def test_model_without_se_blocks_says_so() -> None:
    loaded = load_model("lenet5")
    with Pipeline(loaded) as pipeline:
        pipeline.add_extra(make_extra("se", loaded, {}))
        record = pipeline.process(drawn_frame()).extras["se"]
    assert not record.has_blocks
    assert "no squeeze-and-excitation" in record.message


def test_class_means_over_mnist_go_into_the_card(mnist_test, tmp_path) -> None:
    loaded = load_model("se_resnet")
    subset = type(mnist_test)(mnist_test.images[:600], mnist_test.labels[:600], "subset")
    means = class_mean_excitation(loaded, subset, batch_size=256)
    gates = find_se_gates(loaded.model)
    assert list(means) == [name for name, _ in gates]
    # Direct check for one class of the first block: the mean of the per-digit gates.
    digits = subset.images[subset.labels == 3]
    captured: list[torch.Tensor] = []
    handle = gates[0][1].register_forward_hook(lambda m, i, o: captured.append(o.flatten(1)))
    with torch.inference_mode():
        loaded.model(digits_to_tensor(digits, loaded.spec))
    handle.remove()
    np.testing.assert_allclose(means[gates[0][0]][3], captured[0].mean(0).numpy(), rtol=1e-4, atol=1e-5)

    weights = tmp_path / "se_resnet.pt"
    weights.write_bytes(b"")  # the card lives beside the weights file
    card_path = store_in_card(weights, means)
    card = json.loads(card_path.read_text())
    read = card_class_means(card, list(means))
    assert set(read) == set(means)
    for name in means:
        assert read[name].shape == (10, means[name].shape[1])
        np.testing.assert_allclose(read[name], means[name], atol=1e-4)
    assert CARD_KEY in card


def test_class_means_reach_the_record() -> None:
    loaded = load_model("se_resnet")
    blocks = [name for name, _ in find_se_gates(loaded.model)]
    rng = np.random.default_rng(0)
    widths = {name: int(m.fc2.out_channels) for name, m in loaded.model.named_modules() if name in blocks}
    loaded.card[CARD_KEY] = {name: rng.random((10, widths[name])).tolist() for name in blocks}
    loaded.card[CARD_KEY][blocks[0]] = "not a table"  # a damaged entry is skipped, not fatal
    loaded.card[CARD_KEY][blocks[1]] = rng.random((10, widths[blocks[1]] + 1)).tolist()  # from other weights
    with Pipeline(loaded) as pipeline:
        pipeline.add_extra(make_extra("se", loaded, {}))
        record = pipeline.process(drawn_frame()).extras["se"]
    assert record.blocks[0].class_means is None and record.blocks[1].class_means is None
    for block in record.blocks[2:]:
        np.testing.assert_allclose(block.class_means, np.asarray(loaded.card[CARD_KEY][block.name], np.float32))


def test_gates_are_the_frames_own_with_augmentations_riding_along() -> None:
    """The augment extra appends variants to the frame's batch; the SE record keeps row 0."""
    loaded = load_model("se_resnet")
    frame = drawn_frame()
    with Pipeline(loaded) as pipeline:
        pipeline.add_extra(make_extra("se", loaded, {}))
        alone = pipeline.process(frame).extras["se"]
        pipeline.add_extra(make_extra("augment", loaded, {"seed": 4}))
        pipeline.add_extra(make_extra("se", loaded, {}))  # installed after: its pre-hook still runs first
        both = pipeline.process(frame).extras["se"]
    for a, b in zip(alone.blocks, both.blocks):
        np.testing.assert_allclose(a.weights, b.weights, rtol=1e-5, atol=1e-6)


def class_spread(table: np.ndarray) -> float:
    """How class-specific a block's gates are: per channel the std across the 10 class means, averaged."""
    return float(np.asarray(table).std(axis=0).mean())


def test_shipped_card_shows_late_blocks_are_class_specific() -> None:
    """The SE paper's finding, in the class means shipped with the zoo's SE-ResNet: the gates of
    early blocks look alike for every class, those of the last block differ by class."""
    loaded = load_model("se_resnet")
    blocks = [name for name, _ in find_se_gates(loaded.model)]
    stored = card_class_means(loaded.card, blocks)
    assert list(stored) == blocks  # every block has its table, of the right width
    spreads = [class_spread(stored[name]) for name in blocks]
    print("class spread by depth", [round(s, 3) for s in spreads])
    assert spreads[-1] > 2 * spreads[0]
    assert spreads == sorted(spreads)
