"""Tiling layers into one image on the device: layout, strips and the three normalisations."""

import numpy as np
import pytest
import torch

from viz_app.probe.mosaic import as_maps, grid_shape, normalise, tile
from viz_app.records.frames import NormMode


@pytest.mark.parametrize("c, expected", [(1, (1, 1)), (6, (2, 3)), (16, (4, 4)), (120, (11, 11)), (17, (4, 5))])
def test_grid_shape_is_near_square(c, expected):
    rows, cols = grid_shape(c)
    assert (rows, cols) == expected and rows * cols >= c


def test_each_channel_lands_in_its_tile():
    c, h, w = 6, 4, 5
    values = torch.arange(c, dtype=torch.float32).view(c, 1, 1).expand(c, h, w) * 40  # channel k = 40k
    image, (rows, cols), (th, tw) = tile(values)
    assert image.dtype == torch.uint8 and image.shape == (rows * th, cols * tw) == (8, 15)
    for k in range(c):
        r, q = divmod(k, cols)
        assert (image[r * th : (r + 1) * th, q * tw : (q + 1) * tw] == 40 * k).all()


def test_padding_tiles_are_blank():
    image, (rows, cols), (th, tw) = tile(torch.full((5, 2, 2), 200.0))
    assert rows * cols == 6
    assert (image[th:, 2 * tw :] == 0).all()  # the sixth tile


def test_vector_becomes_a_strip():
    image, grid, tile_hw = tile(torch.linspace(0, 255, 84))
    assert image.shape == (1, 84) and grid == (1, 1) and tile_hw == (1, 84)
    assert image[0, 0] == 0 and image[0, -1] == 255


def test_conv_output_with_1x1_maps_is_a_vector():
    assert as_maps(torch.zeros(1, 120, 1, 1)).shape == (120,)
    assert as_maps(torch.zeros(1, 6, 28, 28)).shape == (6, 28, 28)
    assert as_maps(torch.zeros(1, 10)).shape == (10,)


def test_per_layer_uses_one_range():
    a = torch.stack([torch.full((3, 3), 1.0), torch.full((3, 3), 3.0)])
    scaled, lo, hi = normalise(a, NormMode.PER_LAYER, signed=False, fixed=(0, 1))
    assert lo.item() == 1.0 and hi.item() == 3.0
    assert scaled[0].max() == 0 and scaled[1].min() == 255


def test_per_channel_stretches_each_map():
    a = torch.stack([torch.tensor([[0.0, 1.0]]), torch.tensor([[0.0, 100.0]])])
    scaled, _, _ = normalise(a, NormMode.PER_CHANNEL, signed=False, fixed=(0, 1))
    assert scaled[0, 0, 1] == 255 and scaled[1, 0, 1] == 255


def test_fixed_range_clips_and_does_not_adapt():
    a = torch.tensor([[[-1.0, 0.0, 2.0, 8.0]]])
    scaled, lo, hi = normalise(a, NormMode.FIXED, signed=False, fixed=(0.0, 4.0))
    assert (lo.item(), hi.item()) == (0.0, 4.0)
    assert scaled.flatten().tolist() == [0.0, 0.0, 127.5, 255.0]


@pytest.mark.parametrize("mode", list(NormMode))
def test_signed_layers_put_zero_in_the_middle(mode):
    a = torch.tensor([[[-2.0, 0.0, 1.0]]])
    scaled, lo, hi = normalise(a, mode, signed=True, fixed=(-2.0, 2.0))
    assert lo.item() == -hi.item()
    assert scaled[0, 0, 1].item() == pytest.approx(127.5)
    assert scaled[0, 0, 0].item() == 0


def test_constant_layer_does_not_divide_by_zero():
    scaled, _, _ = normalise(torch.zeros(2, 3, 3), NormMode.PER_LAYER, signed=False, fixed=(0, 1))
    assert torch.isfinite(scaled).all()


def test_large_maps_are_downsampled_on_the_device():
    image, grid, (th, tw) = tile(torch.rand(4, 112, 112) * 255, max_tile=56)
    assert (th, tw) == (56, 56) and image.shape == (2 * 56, 2 * 56)
    assert np.asarray(image).dtype == np.uint8


def test_reduced_precision_activations_are_scaled_in_float32():
    """Under bf16 autocast (the CUDA fast path) a layer's mosaic equals the fp32 one of the same values."""
    a = torch.rand(1, 4, 6, 6) * 3
    half = a.to(torch.bfloat16)
    maps = as_maps(half)
    assert maps.dtype == torch.float32
    image, *_ = tile(normalise(maps, NormMode.PER_LAYER, False, (0.0, 4.0))[0])
    reference, *_ = tile(normalise(as_maps(half.float()), NormMode.PER_LAYER, False, (0.0, 4.0))[0])
    assert torch.equal(image, reference)
    assert as_maps(a).data_ptr() == a.data_ptr()  # fp32 stays as it is: no copy
