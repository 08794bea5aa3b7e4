"""A unit's arithmetic, as plain data: how one number of one layer came to be for one input.

``viz_app.probe.arithmetic`` computes it (torch); `cnn-viz explain` prints it. For a convolution:
the receptive-field patch of each input channel of the unit's group (padded zeros as zeros), the
kernel slice, their elementwise products and each channel's partial sum; the partial sums plus
the bias make the pre-activation, which the layer's own output at that unit must equal. Then
what the model applies next (BatchNorm, the activation), each with the value after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ChannelTerm:
    """One input channel's part of the unit (a linear unit: one input's)."""

    channel: int
    patch: np.ndarray  # kh x kw input values under the kernel, float32 (padding as it is: zeros, or -inf for max pooling)
    kernel: np.ndarray  # kh x kw weights, float32 (pooling: empty)
    products: np.ndarray  # patch * kernel, float64 (pooling: empty)
    partial_sum: float  # float64 (pooling: the channel's pooled value)


@dataclass(frozen=True)
class After:
    """A module the model applies to the layer's output right after it, and the unit's value then."""

    path: str
    what: str  # e.g. "BatchNorm2d", "ReLU"
    value: float


@dataclass(frozen=True)
class UnitArithmetic:
    """The arithmetic of unit ``unit`` (channel, row, column; a linear unit: (index,)) of ``layer``."""

    layer: str
    kind: str  # "conv", "linear", "max pool", "average pool"
    operation: str  # the module as PyTorch prints it
    unit: tuple[int, ...]
    output_shape: tuple[int, ...]  # the layer's output, without the batch
    bias: float
    terms: tuple[ChannelTerm, ...]  # every input channel of the unit's group, in channel order
    pre_activation: float  # the sum of the partial sums plus the bias, float64
    hooked: float  # the layer's own output at the unit (what the maps show), float32
    after: tuple[After, ...]  # BatchNorm and activation the model applies next
    stride: tuple[int, ...] = ()
    padding: tuple[int, ...] = ()  # (top, bottom, left, right) zeros around the input
    dilation: tuple[int, ...] = ()
    groups: int = 1
    group: int = 0  # the unit's group: its terms are that group's input channels
    origin: tuple[int, ...] = ()  # top-left of the receptive field in the input (may be negative: padding)
    table: tuple[tuple[int, ...], ...] | None = None  # a partly connected layer (LeNet-5 1998's C3): the maps each output map reads

    @property
    def value(self) -> float:
        """The unit's value after what follows the layer (the pre-activation where nothing does)."""
        return self.after[-1].value if self.after else self.hooked

    @property
    def error(self) -> float:
        """How far the displayed sum is from the layer's own output, relative to the size of the
        sum's terms (a sum that cancels to near zero is judged against what was added)."""
        scale = max(abs(self.hooked), abs(self.bias), sum(float(np.abs(t.products).sum()) for t in self.terms), 1e-12)
        return abs(self.pre_activation - self.hooked) / scale
