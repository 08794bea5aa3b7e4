"""From photos of digits on paper to LeNet-5's answer, through the camera pipeline."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz_app.bench.synthetic import synth_photo
from viz_app.inputs.digit import mnist_digit
from viz_app.inputs.photo import extract_ink, ink_is_dark
from viz_app.models import load_model
from viz_app.models.inputs import frame_to_tensor
from viz_app.opencv import cv2

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def lenet():
    loaded = load_model("lenet5", "cpu", strict=True)
    return loaded


def _classify(lenet, inks: list[np.ndarray]) -> np.ndarray:
    """The window's preprocessing (frame_to_tensor) and LeNet-5, on a list of ink images."""
    x = torch.cat([frame_to_tensor(ink, lenet.spec, CPU)[0] for ink in inks])  # N x 1 x 32 x 32
    with torch.inference_mode():
        return lenet.model(x).argmax(1).numpy()


@pytest.mark.slow
def test_accuracy_on_1000_synthesised_photos(lenet, mnist_test) -> None:
    rng = np.random.default_rng(2026)
    picks = rng.choice(len(mnist_test), 1000, replace=False)
    inks = []
    for i in picks:
        photo, roi = synth_photo(mnist_test.images[i], np.random.default_rng([7, int(i)]))
        inks.append(extract_ink(photo, roi))
    predictions = _classify(lenet, inks)
    accuracy = float((predictions == mnist_test.labels[picks]).mean())
    print(f"\nLeNet-5 on 1,000 synthesised photos through extract_ink: {accuracy:.1%}")
    assert accuracy >= 0.97


def _photo(mnist_test, index: int, lighting: float = 1.0):
    return synth_photo(mnist_test.images[index], np.random.default_rng(index), lighting=lighting)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.logical_and(a > 0, b > 0).sum() / max(1, np.logical_or(a > 0, b > 0).sum()))


def test_output_is_white_ink_on_exact_black(mnist_test) -> None:
    photo, roi = _photo(mnist_test, 3)
    ink = extract_ink(photo, roi)
    assert ink.dtype == np.uint8 and ink.ndim == 2
    assert ink.max() == 255
    share = (ink > 0).mean()
    assert 0.02 < share < 0.4  # strokes, not the page
    # The border of the ROI is paper: exactly 0 there.
    assert ink[0].max() == 0 and ink[-1].max() == 0 and ink[:, 0].max() == 0 and ink[:, -1].max() == 0
    assert len(np.unique(ink)) > 10  # grey levels at the strokes' rims are kept


def test_light_ink_on_dark_board_gives_the_same_ink(lenet, mnist_test) -> None:
    photo, roi = _photo(mnist_test, 0)
    dark = extract_ink(photo, roi)
    light = extract_ink(255 - photo, roi)  # chalk on a blackboard
    assert ink_is_dark(cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY))
    assert not ink_is_dark(cv2.cvtColor(255 - photo, cv2.COLOR_RGB2GRAY))
    assert _iou(dark, light) > 0.8
    assert list(_classify(lenet, [dark, light])) == [mnist_test.labels[0]] * 2


@pytest.mark.parametrize("lighting", [0.3, 0.6, 1.0])
def test_dim_and_bright_lighting(lenet, mnist_test, lighting: float) -> None:
    indices = list(range(10, 30))
    inks = [extract_ink(*_photo(mnist_test, i, lighting)) for i in indices]
    correct = (_classify(lenet, inks) == mnist_test.labels[indices]).sum()
    assert correct >= 19


def test_specks_and_paper_edge_are_dropped(lenet, mnist_test) -> None:
    index = 7
    photo, roi = _photo(mnist_test, index)
    clean = extract_ink(photo, roi)
    x, y, w, h = roi
    dirty = photo.copy()
    rng = np.random.default_rng(1)
    for _ in range(12):  # pencil dots and dust
        cx, cy = x + int(rng.integers(0, w)), y + int(rng.integers(0, h))
        cv2.circle(dirty, (cx, cy), int(rng.integers(1, 3)), (40, 40, 40), -1)
    dirty[y : y + h, x : x + 14] = 30  # the dark table beyond the sheet's left edge
    ink = extract_ink(dirty, roi)
    assert _iou(ink, clean) > 0.9
    assert ink[:, :14].max() == 0
    assert _classify(lenet, [ink])[0] == mnist_test.labels[index]


def test_blank_paper_gives_no_ink() -> None:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:200, 0:300]
    paper = 120 + 100 * xx / 300 + rng.normal(0, 4, (200, 300))  # a gradient and sensor noise
    ink = extract_ink(np.clip(paper, 0, 255).astype(np.uint8))
    assert ink.max() == 0
    assert mnist_digit(ink) is None  # the window shows an empty input, not a guess


def test_roi_crops_and_outside_roi_is_an_error(mnist_test) -> None:
    photo, roi = _photo(mnist_test, 5)
    x, y, _, _ = roi
    assert extract_ink(photo, (x, y, 150, 120)).shape == (120, 150)
    with pytest.raises(ValueError, match="outside"):
        extract_ink(photo, (1000, 1000, 50, 50))


def test_large_frame_is_reduced_before_work(mnist_test) -> None:
    photo, roi = _photo(mnist_test, 9)
    big = cv2.resize(photo, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
    ink = extract_ink(big, tuple(4 * v for v in roi))
    assert max(ink.shape) == 192
    assert _iou(cv2.resize(extract_ink(photo, roi), ink.shape[::-1]), ink) > 0.75


def test_image_models_get_the_rgb_centre_crop_of_the_roi(mnist_test) -> None:
    from viz_app.inputs.photo import network_image

    photo, _ = _photo(mnist_test, 2)
    crop = network_image(photo, (20, 10, 200, 120), channels=3)
    assert crop.shape == (120, 120, 3)
    np.testing.assert_array_equal(crop, photo[10:130, 60:180])
    assert network_image(photo, None, channels=3).shape == (240, 240, 3)
    ink = network_image(photo, None, channels=1)
    assert ink.ndim == 2 and ink[0].max() == 0


@pytest.mark.parametrize("invert", [False, True])
def test_small_scans_of_mnist_digits_either_way_round(lenet, mnist_test, invert: bool) -> None:
    """A 28x28 file (an MNIST digit saved as an image, or its negative) is enlarged, not lost."""
    picks = np.arange(300)
    inks = [extract_ink(255 - mnist_test.images[i] if invert else mnist_test.images[i]) for i in picks]
    assert inks[0].shape == (112, 112)
    accuracy = (_classify(lenet, inks) == mnist_test.labels[picks]).mean()
    assert accuracy >= 0.98
