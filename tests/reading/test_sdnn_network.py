"""The space-displacement network: one column per position, and a lone digit read in a wide
strip exactly as the same network reads it alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz_app.models import load_model
from viz_app.models.inputs import digits_to_tensor
from viz_app.models.strings import normalise_strip, read_logits
from viz_app.models.zoo.sdnn import SDNN_SPEC, columns
from viz_app.training.mnist import Digits


@pytest.fixture(scope="module")
def sdnn():
    loaded = load_model("sdnn", "cpu", strict=True)
    assert loaded.trained
    return loaded.model


def test_a_wide_strip_gives_one_column_per_four_pixels(sdnn) -> None:
    for width in (32, 33, 96, 161):
        with torch.inference_mode():
            out = sdnn(torch.zeros(2, 1, 32, width))
        assert out.shape == (2, 11, columns(width))
    with pytest.raises(ValueError, match="32 pixels high"):
        sdnn(torch.zeros(1, 1, 28, 28))


def test_a_lone_digit_is_read_at_its_centre_as_alone(sdnn, mnist_test: Digits) -> None:
    """Digit i placed at x = 2k in a blank strip: column k sees exactly that 32x32 window."""
    n = 200
    alone = digits_to_tensor(mnist_test.images[:n], SDNN_SPEC)  # n x 1 x 32 x 32
    rng = np.random.default_rng(0)
    with torch.inference_mode():
        single = sdnn(alone)[:, :, 0]  # n x 11
        agree = read_right = 0
        for i in range(n):
            k = int(rng.integers(0, 45))
            strip = torch.full((1, 1, 32, 32 + 4 * 24), float(normalise_strip(np.zeros((32, 32), np.uint8)).flatten()[0]))
            strip[..., 2 * k : 2 * k + 32] = alone[i]
            wide = sdnn(strip)[0]  # 11 x T
            assert torch.allclose(wide[:, k], single[i], atol=1e-4)
            agree += int(wide[:, k].argmax()) == int(single[i].argmax())
            read_right += read_logits(wide).text == str(mnist_test.labels[i])
    assert agree == n
    right = (single[:, :10].argmax(1).numpy() == mnist_test.labels[:n]).mean()
    # Read along the whole strip, a few lone digits gain a stray neighbour from off-centre columns.
    assert right >= 0.98 and read_right >= 0.94 * n, (right, read_right)
