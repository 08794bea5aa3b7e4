"""The "augment" extra through the pipeline: one batch equal to each v2 transform applied alone."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from viz_app.models import get_spec, load_model
from viz_app.models.inputs import digits_to_tensor, frame_to_tensor, normalise
from viz_app.probe.extras import augment as augment_module
from viz_app.probe.extras import make_extra
from viz_app.probe.extras.augment import LinearAugmenter, augment_batch, build_transforms, linear_augmenter, to_uint8
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
    with pytest.raises(ValueError, match="unknown augmentation"):
        make_extra("augment", lenet, {"names": ["sepia"]})
    with pytest.raises(ValueError, match="strength"):
        make_extra("augment", lenet, {"strength": 0.5})
    with pytest.raises(ValueError, match="refresh_hz"):
        make_extra("augment", lenet, {"refresh_hz": -1})


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


def test_linear_map_is_built_once_per_setting() -> None:
    """The panel coming back into view (a new extra, same settings) reuses the map: no 0.1 s rebuild."""
    cpu = torch.device("cpu")
    first = linear_augmenter(AUGMENTATIONS, {"rotation": 0.7}, (1, 32, 32), 5, cpu)
    assert linear_augmenter(AUGMENTATIONS, {"rotation": 0.7}, (1, 32, 32), 5, cpu) is first
    assert linear_augmenter(AUGMENTATIONS, {"rotation": 0.7}, (1, 32, 32), 6, cpu) is not first
    assert linear_augmenter(AUGMENTATIONS, {"rotation": 0.8}, (1, 32, 32), 5, cpu) is not first


@pytest.mark.parametrize("ride_along", [True, False])
def test_between_refreshes_a_frame_costs_no_variants_and_repeats_the_record(lenet, mnist_test, monkeypatch, ride_along) -> None:
    """refresh_hz: the variants are computed at most that often; a frame in between runs the model
    on its own image only and hands on the last record itself, and the next refresh follows the input."""
    clock = [100.0]
    monkeypatch.setattr(augment_module, "time", SimpleNamespace(perf_counter=lambda: clock[0]))
    rows: list[int] = []  # images per forward, seen by the model's first layer (frame and twin alike)
    extra = make_extra("augment", lenet, {"seed": 4, "refresh_hz": 30, "ride_along": ride_along})
    handles = [m.c1.register_forward_hook(lambda _m, _i, out: rows.append(out.shape[0])) for m in (lenet.model, extra.model)]
    try:
        with Pipeline(lenet, layers=[]) as pipeline:
            pipeline.add_extra(extra)
            first = pipeline.process(digit_frame(mnist_test, 0)).extras["augment"]
            refreshed = len(rows)
            clock[0] += 0.02  # within 1/30 s
            between = pipeline.process(digit_frame(mnist_test, 1))
            assert between.extras["augment"] is first
            assert rows[refreshed:] == [1]  # the frame alone: no variant went through the model
            clock[0] += 0.02  # 0.04 s since the last refresh
            later = pipeline.process(digit_frame(mnist_test, 1)).extras["augment"]
    finally:
        for handle in handles:
            handle.remove()
    assert later is not first and sum(rows[refreshed + 1 :]) == 1 + len(AUGMENTATIONS)
    _, every_frame = run(lenet, {"seed": 4}, digit_frame(mnist_test, 1))
    for a, b in zip(later.variants, every_frame.variants):
        np.testing.assert_array_equal(a.image, b.image)
