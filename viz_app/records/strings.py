"""The record of a string of digits read in one pass (the SDNN panel's), numpy only.

Every row is laid out along the input strip: column ``j`` of a layer sits over input pixels
``x0 + j * step`` to ``x0 + (j + 1) * step``, so the panel can stack the input, C1, C3, C5 and
the per-position answers with each column under the part of the string it looks at.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Along:
    """Where a layer's columns sit on the input strip, in input pixels."""

    x0: float  # left edge of column 0
    step: float  # width of one column (the layer's stride on the input)


@dataclass(frozen=True)
class StripLayer:
    """One layer along the string: its channels stacked top to bottom, one image."""

    name: str  # module path, e.g. "c1"
    title: str  # e.g. "C1 20@28x156"
    image: np.ndarray  # (channels * height) x width uint8, C-contiguous
    channels: int
    along: Along
    signed: bool  # diverging colours centred on 0


@dataclass(frozen=True)
class StringRecord:
    """One frame of a string reader: the strip, its layers, the answer at each position and the string read."""

    strip: np.ndarray  # 32 x W uint8, the network's input
    layers: tuple[StripLayer, ...]
    probabilities: np.ndarray  # classes x T float32: each position's softmax
    along: Along  # where the positions sit on the strip
    labels: tuple[str, ...]  # class names, the blank's included
    blank: int  # the class "no digit centred here"
    text: str  # the string read after decoding
    empty: bool = False  # nothing written
    message: str = ""  # what to tell the user (nothing written, one digit, the wrong model)

    @property
    def positions(self) -> int:
        """How many output positions the strip gave."""
        return int(self.probabilities.shape[1]) if self.probabilities.ndim == 2 else 0

    @property
    def winners(self) -> np.ndarray:
        """(T,) the winning class at each position."""
        return self.probabilities.argmax(axis=0) if self.positions else np.zeros(0, np.int64)

    @property
    def confidence(self) -> np.ndarray:
        """(T,) the winning class's probability at each position."""
        return self.probabilities.max(axis=0) if self.positions else np.zeros(0, np.float32)


BLANK = "blank"  # a string reader's last class: "no digit centred here", as CTC has it


def no_string(message: str) -> StringRecord:
    """A record with nothing to show but ``message`` (a model without a string head, say)."""
    empty = np.zeros((0, 0), np.uint8)
    return StringRecord(empty, (), np.zeros((0, 0), np.float32), Along(0.0, 1.0), (), 0, "", True, message)
