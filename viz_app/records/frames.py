"""Plain, immutable data that crosses from the inference thread to the window.

Nothing here imports torch or Qt: the window only ever sees numpy arrays and these records.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class NormMode(enum.StrEnum):
    """How activations are mapped to colours in a mosaic."""

    PER_CHANNEL = "channel"
    PER_LAYER = "layer"
    FIXED = "fixed"

    @property
    def label(self) -> str:
        return {"channel": "Per channel", "layer": "Per layer", "fixed": "Fixed range"}[self.value]


class FrameKind(enum.StrEnum):
    """What a frame's pixels are."""

    INK = "ink"  # ink on a blank field (the pad, an MNIST digit): centred for the network as MNIST was
    PHOTO = "photo"  # a picture of a digit (camera, video, image file): its ink is found first, or an RGB crop taken
    PREPARED = "prepared"  # already a 28x28 network field (the demo's scenes): not re-centred, so a shift stays a shift


class Layout(enum.StrEnum):
    """What a frame holds: one digit, or a string of them read in one pass (string mode)."""

    DIGIT = "digit"
    STRING = "string"  # a postcode, a cheque amount: a strip for a string reader, never cut to one digit


class Head(enum.StrEnum):
    """What a model's output is: one score per class, or a class vector at every position of a
    strip (a string reader, the SDNN: the last class is "blank", no digit centred here)."""

    CLASSES = "classes"
    STRING = "string"


@dataclass(frozen=True)
class Frame:
    """One input image from a source, stamped with the moment its input event happened.

    Sources hand frames over raw; the inference thread prepares them, by their ``kind`` and
    ``layout``, for whatever model is current then. A string frame is read as one wide strip by
    a model with a string head, and refused with a message by a model that reads one digit.
    """

    image: np.ndarray  # H x W (gray) or H x W x 3 (RGB), uint8
    t_event: float  # time.perf_counter() of the input event that produced it
    seq: int = 0
    source: str = "pad"
    roi: tuple[int, int, int, int] | None = None  # x, y, width, height in image pixels; None: all of it
    kind: FrameKind = FrameKind.INK
    layout: Layout = Layout.DIGIT


@dataclass(frozen=True)
class LayerImage:
    """One layer's activations tiled into a single uint8 image."""

    name: str  # module path in the model, e.g. "c1"
    title: str  # what the window prints, e.g. "C1 6@28x28"
    shape: tuple[int, ...]  # activation shape without the batch, e.g. (6, 28, 28) or (120,)
    image: np.ndarray  # rows x cols, uint8, C-contiguous
    grid: tuple[int, int]  # (rows, cols) of channel tiles; (1, 1) for a strip
    tile: tuple[int, int]  # (height, width) of one tile in pixels
    lo: float  # activation value drawn as colour 0
    hi: float  # activation value drawn as colour 255
    signed: bool  # True: diverging colours centred on 0

    @property
    def is_strip(self) -> bool:
        return len(self.shape) == 1


@dataclass(frozen=True)
class Timings:
    """Milliseconds spent in each stage of one frame."""

    preprocess: float = 0.0
    forward: float = 0.0
    mosaic: float = 0.0
    transfer: float = 0.0
    t_start: float = 0.0  # time.perf_counter() when the inference thread began the frame (a trace places the stages from it)


@dataclass(frozen=True)
class FrameResult:
    """Everything the panels need to draw one frame."""

    seq: int
    t_event: float
    t_done: float
    model: str
    network_input: np.ndarray  # the network's actual input, uint8, H x W or H x W x 3
    probabilities: np.ndarray  # float32, one per class
    classes: tuple[str, ...]
    layers: tuple[LayerImage, ...]
    timings: Timings
    empty: bool = False  # nothing to classify (blank pad)
    extras: dict[str, Any] = field(default_factory=dict)  # per-panel records, see probe.extras
    text: str | None = None  # the string read by a model with a string head ("" none); None: a one-class answer
    generation: int = 0  # the view state's generation whose request was in force (viz_app.state.view)
    info: ModelInfo | None = None  # the model it was made with: a window shows the result with its model

    @property
    def prediction(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.prediction])


@dataclass(frozen=True)
class ModelInfo:
    """What the window needs to know about the loaded model."""

    name: str
    title: str
    group: str
    device: str
    classes: tuple[str, ...]
    input_size: tuple[int, int]
    channels: int
    weights: str  # where the weights came from, or "untrained weights"
    trained: bool
    accuracy: float | None = None
    accuracy_on: str = "the MNIST test set"
    parameters: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)
    head: Head = Head.CLASSES
