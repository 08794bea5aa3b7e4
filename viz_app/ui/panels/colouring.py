"""Layer images coloured for display: one 32-bit table lookup per pixel."""

from __future__ import annotations

from functools import cache

import numpy as np

from viz_app.ui.colours import lut


@cache
def packed_lut(signed: bool) -> np.ndarray:
    """The colour map's 256 entries as RGBA pixels packed in uint32 (alpha 255)."""
    table = np.empty((256, 4), np.uint8)
    table[:, :3] = lut(signed)
    table[:, 3] = 255
    return table.view(np.uint32).ravel()


def coloured(image: np.ndarray, signed: bool) -> np.ndarray:
    """H x W uint8 values -> H x W x 4 RGBA uint8 (opaque), equal to ``lut(signed)[image]`` in RGB.

    ``np.take`` of whole 32-bit pixels is about ten times faster than indexing a 256 x 3 table:
    a 448 x 448 mosaic (a ResNet's first layers) costs 0.15 ms instead of 2 ms per frame.
    """
    return np.take(packed_lut(signed), image).view(np.uint8).reshape(*image.shape, 4)
