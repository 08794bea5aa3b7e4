"""The string reader's input as a tensor: the strip of ``viz_app.inputs.strip``, MNIST-normalised.

Its pixels come from ``viz_app.inputs.strip`` (numpy and OpenCV); here they become the
network's 1 x 1 x 32 x W input, and the reading is decoded (``viz_app.models.decode``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from viz_app.inputs.strip import (
    INK_HEIGHT,
    MARGIN,
    MAX_STRIP_WIDTH,
    STRIP_HEIGHT,
    NoInkError,
    StripError,
    StripPixels,
    string_ink,
    strip_pixels,
)
from viz_app.models.decode import StringReading, best_path, column_centre, read_logits
from viz_app.models.registry import MNIST_MEAN, MNIST_STD, ModelSpec
from viz_app.records.frames import Head

__all__ = [
    "INK_HEIGHT",
    "MARGIN",
    "MAX_STRIP_WIDTH",
    "STRIP_HEIGHT",
    "NoInkError",
    "Strip",
    "StripError",
    "StringReading",
    "best_path",
    "column_centre",
    "has_string_head",
    "make_strip",
    "normalise_strip",
    "prepare_strip",
    "read_logits",
    "string_ink",
]


@dataclass(frozen=True)
class Strip(StripPixels):
    """The network's input with the way back to the picture's pixels (``StripPixels``), and
    ``tensor``: the same strip normalised, 1 x 1 x 32 x W."""

    tensor: torch.Tensor


def has_string_head(spec: ModelSpec) -> bool:
    """Whether a model reads strings: one output column per position, the last class the blank."""
    return spec.head is Head.STRING


def normalise_strip(pixels: np.ndarray) -> torch.Tensor:
    """32 x W (or N x 32 x W) uint8 white-on-black -> N x 1 x 32 x W float, MNIST-normalised."""
    x = torch.from_numpy(np.ascontiguousarray(pixels)).float().div_(255.0)
    x = x.view(-1, 1, *x.shape[-2:])
    return (x - MNIST_MEAN) / MNIST_STD


def prepare_strip(gray: np.ndarray) -> torch.Tensor:
    """Any grey (or RGB) picture of a string, either polarity -> the 1 x 1 x 32 x W input.

    Raises StripError when there is no ink or the string is too long to read.
    """
    return make_strip(gray).tensor


def make_strip(gray: np.ndarray, *, clean: bool | None = None) -> Strip:
    """The strip of ``gray`` with its geometry and its tensor; see ``viz_app.inputs.strip.strip_pixels``.

    ``clean`` says the picture is already ink on a flat background (the pad, a composed
    string); None decides from the picture itself.
    """
    made = strip_pixels(gray, clean=clean)
    return Strip(made.pixels, made.scale, made.x0, made.y0, tensor=normalise_strip(made.pixels))
