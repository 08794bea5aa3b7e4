"""MNIST-style preprocessing of ink: bounding box to 20x20, centre of mass at the centre."""

import numpy as np
import pytest

from viz_app.inputs.digit import FIELD, centre_of_mass, mnist_digit
from viz_app.sources.scripted import scaled_strokes
from viz_app.sources.strokes import StrokeCanvas


def _ink_box(digit: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(digit.max(axis=1) > 0)
    cols = np.flatnonzero(digit.max(axis=0) > 0)
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_empty_canvas_gives_none():
    assert mnist_digit(np.zeros((280, 280), np.uint8)) is None


@pytest.mark.parametrize("where", [(20, 30), (150, 200), (250, 10)])
def test_off_centre_ink_is_centred_by_centre_of_mass(where):
    ink = np.zeros((280, 280), np.uint8)
    y, x = where
    ink[y : y + 25, x : x + 12] = 255  # a tall bar anywhere on the pad
    digit = mnist_digit(ink)
    assert digit.shape == (FIELD, FIELD) and digit.dtype == np.uint8
    cx, cy = centre_of_mass(digit)
    assert abs(cx - 14) < 0.6 and abs(cy - 14) < 0.6  # where MNIST puts it


def test_bounding_box_fits_20x20_keeping_aspect_ratio():
    ink = np.zeros((280, 280), np.uint8)
    ink[40:240, 100:150] = 255  # 200 tall, 50 wide: 4:1
    digit = mnist_digit(ink)
    h, w = _ink_box(digit)
    assert 19 <= h <= 22  # anti-aliased edges may add a pixel each side
    assert 4 <= w <= 7


def test_tiny_scribble_is_scaled_up():
    ink = np.zeros((280, 280), np.uint8)
    ink[100:104, 100:102] = 255
    h, _ = _ink_box(mnist_digit(ink))
    assert h >= 19


def test_rejects_colour_images():
    with pytest.raises(ValueError):
        mnist_digit(np.zeros((10, 10, 3), np.uint8))


def test_mnist_digits_are_left_as_they_were(mnist_test):
    """MNIST digits are already 20x20-in-28x28 and centred: the recipe must reproduce them."""
    correlations = []
    for image in mnist_test.images[:200]:
        again = mnist_digit(image)
        correlations.append(np.corrcoef(again.ravel().astype(float), image.ravel().astype(float))[0, 1])
    # Resampling moves edges by a fraction of a pixel; the shapes and positions stay.
    assert np.median(correlations) > 0.9
    assert np.min(correlations) > 0.6


def test_stroke_canvas_draws_while_stroking():
    canvas = StrokeCanvas(280, pen_width=10)
    canvas.begin(50, 50)
    assert canvas.ink[50, 50] > 0
    version = canvas.version
    canvas.extend(200, 50)
    assert canvas.version > version
    assert canvas.ink[50, 120] == 255
    canvas.clear()
    assert canvas.is_blank


def test_scripted_digits_cover_all_ten():
    for digit in range(10):
        strokes = scaled_strokes(digit, 280)
        assert strokes and all(len(s) > 1 for s in strokes)
        assert all(0 <= x <= 280 and 0 <= y <= 280 for s in strokes for x, y in s)
