"""Plain records of what a unit has learned: its strongest test digits and its favourite input.

Built by the probe (``viz_app.probe.unit_top``, ``viz_app.probe.favourite``) and drawn by the
unit panel; numpy and dataclasses only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viz_app.records.panels import UnitRecord


@dataclass(frozen=True)
class TopImages:
    """The test digits that excite one unit most, strongest first, cut to its receptive field."""

    crops: np.ndarray  # K x h x w (x 3) uint8: each image cut around the unit's strongest position (whole digit for a dense unit)
    values: np.ndarray  # K float32: the unit's activation on each
    labels: np.ndarray  # K int: each digit's label
    indices: np.ndarray  # K int: each digit's index in the MNIST test set
    mean: float  # the unit's mean activation over the test set (all positions)
    whole: bool  # True when the crops are whole inputs (dense units, fields as large as the input)
    names: tuple[str, ...] = ()  # each label's class name
    source: str = "MNIST test digits"  # where the images come from

    @property
    def best(self) -> float:
        """The strongest activation over the test set."""
        return float(self.values[0])


@dataclass(frozen=True)
class UnitInsight(UnitRecord):
    """The unit zoom's record with what the unit has learned, or why that is not shown."""

    top: TopImages | None = None
    top_message: str = ""  # when ``top`` is None: what to do to see the top images


@dataclass(frozen=True)
class FavouriteRequest:
    """Which unit's favourite input to compute, and with which weights (a model copy is built from them)."""

    model: str  # registered model name
    weights: str  # weights file the model shows, or "" for its default
    layer: str
    index: int


@dataclass(frozen=True)
class Favourite:
    """The input that excites one unit most, found by regularised gradient ascent."""

    request: FavouriteRequest
    image: np.ndarray  # H x W uint8 (H x W x 3 for colour models), the network input in pixels
    value: float  # the unit's activation on it (the centre unit of a channel)
    start: float  # the activation on the starting noise
    seconds: float
    steps: int
