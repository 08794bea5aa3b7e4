"""The "augment" extra through the pipeline: one batch equal to each v2 transform applied alone."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from viz_app.models import get_spec, load_model
from viz_app.models.inputs import digits_to_tensor, frame_to_tensor, normalise
from viz_app.probe.extras import make_extra
from viz_app.probe.extras.augment import LinearAugmenter, augment_batch, build_transforms, to_uint8
from viz_app.probe.hooks import count_hooks
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame
from viz_app.records.panels import AUGMENTATIONS

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def lenet():
    return load_model("lenet5")


def digit_frame(mnist_test, i: int = 0) -> Frame:
    return Frame(mnist_test.images[i], time.perf_counter())


def run(loaded, params, frame):
    with Pipeline(loaded, layers=[]) as pipeline:
        pipeline.add_extra(make_extra("augment", loaded, params))
        result = pipeline.process(frame)
    return result, result.extras["augment"]


def test_batch_equals_each_transform_alone(lenet, mnist_test) -> None:
    strength = {name: 0.3 + 0.05 * i for i, name in enumerate(AUGMENTATIONS)}
    result, record = run(lenet, {"seed": 7, "strength": strength}, digit_frame(mnist_test, 1))
    assert [v.name for v in record.variants] == list(AUGMENTATIONS)
    assert record.seed == 7 and record.fixed
    # The reference: every v2 transform on its own, on the network's input pixels, same seeds.
    x, _ = frame_to_tensor(mnist_test.images[1], lenet.spec, lenet.device)
    pixels = (x[0] * 0.3081 + 0.1307).clamp(0, 1)
    alone = augment_batch(pixels, build_transforms(AUGMENTATIONS, strength, (32, 32)), 7)  # N x 1 x 32 x 32
    images = np.stack([v.image for v in record.variants])
    assert np.abs(images.astype(int) - to_uint8(alone).numpy().astype(int)).max() <= 1
    with torch.inference_mode():
        probs = torch.softmax(lenet.model(normalise(alone, lenet.spec)), 1)
    assert [v.prediction for v in record.variants] == probs.argmax(1).tolist()
    np.testing.assert_allclose([v.confidence for v in record.variants], probs.max(1).values.numpy(), rtol=1e-4)
    assert [v.changed for v in record.variants] == [p != result.prediction for p in probs.argmax(1).tolist()]
    assert record.original_prediction == result.prediction
    # The transforms really transform: every variant differs from the input at this strength.
    original = result.network_input
    assert all(np.abs(v.image.astype(int) - original.astype(int)).max() > 10 for v in record.variants)


def test_linear_map_equals_the_transforms_for_many_seeds(mnist_test) -> None:
    pixels = (digits_to_tensor(mnist_test.images[2], get_spec("lenet5"))[0] * 0.3081 + 0.1307).clamp(0, 1)
    transforms = build_transforms(AUGMENTATIONS, {"noise": 0.9, "contrast": 1.0, "elastic": 1.0}, (32, 32))
    for seed in (0, 1, 12345):
        fast = LinearAugmenter(transforms, (1, 32, 32), seed, torch.device("cpu"))(pixels)
        torch.testing.assert_close(fast, augment_batch(pixels, transforms, seed), atol=2e-5, rtol=0)


def test_seed_fixes_the_variants_and_reroll_changes_them(lenet, mnist_test) -> None:
    frame = digit_frame(mnist_test, 3)
    _, a = run(lenet, {"seed": 11}, frame)
    _, b = run(lenet, {"seed": 11}, frame)
    _, c = run(lenet, {"seed": 12}, frame)
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a.variants, b.variants))
    random = [v for v in AUGMENTATIONS if v != "flip"]  # a flip has nothing to draw
    assert all(not np.array_equal(x.image, y.image) for x, y in zip(a.variants, c.variants) if x.name in random)
    _, d = run(lenet, {}, frame)
    assert not d.fixed


def test_zero_strength_leaves_the_input(lenet, mnist_test) -> None:
    strength = dict.fromkeys(AUGMENTATIONS, 0.0)
    result, record = run(lenet, {"seed": 3, "strength": strength}, digit_frame(mnist_test, 4))
    for v in record.variants:
        assert np.abs(v.image.astype(int) - result.network_input.astype(int)).max() <= 1, v.name
        assert v.prediction == result.prediction and not v.changed


def test_flip_changes_an_asymmetric_digit_and_is_flagged(lenet, mnist_test) -> None:
    """Flipping digits is the lecture's example of an augmentation that breaks the label."""
    changed = 0
    with Pipeline(lenet, layers=[]) as pipeline:
        pipeline.add_extra(make_extra("augment", lenet, {"seed": 0, "names": ["flip"], "strength": {"flip": 1.0}}))
        for i in range(40):
            result = pipeline.process(digit_frame(mnist_test, i))
            (variant,) = result.extras["augment"].variants
            np.testing.assert_array_equal(variant.image, result.network_input[:, ::-1])
            changed += variant.changed
    assert changed > 0


def test_bad_parameters_are_refused_clearly(lenet) -> None:
    with pytest.raises(KeyError, match="unknown augmentation"):
        make_extra("augment", lenet, {"names": ["sepia"]})
    with pytest.raises(ValueError, match="strength"):
        make_extra("augment", lenet, {"strength": 0.5})


def test_ride_along_leaves_the_frame_alone_and_its_hooks_go(lenet, mnist_test) -> None:
    """Riding along in the frame's forward gives the same variants and an untouched frame."""
    before = count_hooks(lenet.model)
    frame = digit_frame(mnist_test, 6)
    with Pipeline(lenet) as pipeline:
        plain = pipeline.process(frame)
        probe_hooks = count_hooks(lenet.model)
        pipeline.add_extra(make_extra("augment", lenet, {"seed": 1, "ride_along": False}))
        assert count_hooks(lenet.model) == probe_hooks
        separate = pipeline.process(frame)
        pipeline.add_extra(make_extra("augment", lenet, {"seed": 1}))
        assert count_hooks(lenet.model) == probe_hooks + 2  # the pre-hook and the forward hook
        riding = pipeline.process(frame)
        pipeline.remove_extra("augment")
        assert count_hooks(lenet.model) == probe_hooks
    assert count_hooks(lenet.model) == before
    for result in (separate, riding):
        np.testing.assert_allclose(result.probabilities, plain.probabilities, rtol=1e-5, atol=1e-7)
        for a, b in zip(result.layers, plain.layers):
            assert a.shape == b.shape and np.abs(a.image.astype(int) - b.image.astype(int)).max() <= 1
    for a, b in zip(separate.extras["augment"].variants, riding.extras["augment"].variants):
        np.testing.assert_array_equal(a.image, b.image)
        assert a.prediction == b.prediction and a.confidence == pytest.approx(b.confidence, rel=1e-5)
