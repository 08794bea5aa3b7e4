"""Plain, immutable records of the "inside the network" extras (SE gates, augmentations, unit zoom, saliency).

The probe's extras build them from numpy arrays; the panels read them. Nothing here imports
torch or Qt, so both sides can use these types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SEBlock:
    """One squeeze-and-excitation block: its gate per channel for this frame."""

    name: str  # module path of the SE block, e.g. "features.4.block.2"
    weights: np.ndarray  # (C,) float32 in 0..1, the gate after sigmoid / hard-sigmoid
    class_means: np.ndarray | None = None  # classes x C float32, mean gate over the MNIST test set


@dataclass(frozen=True)
class SERecord:
    """Every SE block's gate of one frame; no blocks means the model has none."""

    blocks: tuple[SEBlock, ...]
    prediction: int = 0  # the frame's predicted class (to pick the matching class mean)
    message: str = ""  # why there is nothing to show, when blocks is empty

    @property
    def has_blocks(self) -> bool:
        """True when the model has SE blocks to show."""
        return bool(self.blocks)


AUGMENTATIONS: tuple[str, ...] = (
    "flip", "scale", "rotation", "intensity", "contrast", "crop+pad",
    "noise", "translation", "shear", "affine", "perspective", "elastic",
)  # fmt: skip  -- the augmentation previews, in grid order


# --- what each panel asks its extra for (viz_app.state.panels names the type per panel) --------------


@dataclass(frozen=True)
class NoParams:
    """The parameters of a panel whose extra takes none (SE gates, filters, the string read)."""


@dataclass(frozen=True)
class AugmentParams:
    """The augmentation grid: which variants (``names``, in grid order), each one's ``strength``
    (0..1; one not named: full), a ``seed`` for reproducible variants (None: random, drawn once),
    ``refresh_hz`` (0: the variants follow every frame; else at most this often) and whether the
    variants ride along with the frame's own forward (``ride_along``)."""

    names: tuple[str, ...] = AUGMENTATIONS
    strength: tuple[tuple[str, float], ...] = ()
    seed: int | None = None
    refresh_hz: float = 0.0
    ride_along: bool = True

    def __post_init__(self) -> None:
        strength = self.strength
        if isinstance(strength, Mapping):
            strength = tuple(sorted(strength.items()))
        elif not isinstance(strength, tuple | list):
            raise ValueError("augmentation strength must be a mapping of name to 0..1")
        object.__setattr__(self, "strength", tuple((str(n), float(v)) for n, v in strength))
        object.__setattr__(self, "names", tuple(self.names))
        unknown = [n for n in (*self.names, *dict(self.strength)) if n not in AUGMENTATIONS]
        if unknown:
            raise ValueError(f"unknown augmentation {unknown[0]!r}; known: {', '.join(AUGMENTATIONS)}")
        if not all(0.0 <= v <= 1.0 for _, v in self.strength):
            raise ValueError("augmentation strengths go from 0 to 1")
        if not self.refresh_hz >= 0:
            raise ValueError("augmentation refresh_hz must be 0 (every frame) or more")

    @property
    def strengths(self) -> dict[str, float]:
        """``strength`` as a mapping."""
        return dict(self.strength)


@dataclass(frozen=True)
class UnitParams:
    """The unit zoomed in on: channel (or unit) ``index`` of the module at ``layer``."""

    layer: str
    index: int

    def __post_init__(self) -> None:
        if not isinstance(self.index, int) or isinstance(self.index, bool) or self.index < 0:
            raise ValueError(f"a unit's index is a whole number from 0, not {self.index!r}")


SALIENCY_METHODS = ("auto", "gradcam", "gradient")


@dataclass(frozen=True)
class SaliencyParams:
    """Where the network looks: ``method`` (auto, gradcam or gradient) and, for Grad-CAM, the
    module ``layer`` it takes (None: the model's last convolutional stage)."""

    method: str = "auto"
    layer: str | None = None

    def __post_init__(self) -> None:
        if self.method not in SALIENCY_METHODS:
            raise ValueError(f"unknown saliency method {self.method!r}; known: {', '.join(SALIENCY_METHODS)}")
DEFAULT_STRENGTH = 0.5  # of every augmentation, on a 0..1 scale


@dataclass(frozen=True)
class AugmentVariant:
    """The current input under one augmentation, with the model's verdict on it."""

    name: str  # e.g. "rotation"
    image: np.ndarray  # H x W (or H x W x 3) uint8, what the network saw
    prediction: int
    confidence: float
    changed: bool  # True when the prediction differs from the unaugmented input's


@dataclass(frozen=True)
class AugmentRecord:
    """One frame's augmentation grid."""

    original_prediction: int
    original_confidence: float
    variants: tuple[AugmentVariant, ...]
    classes: tuple[str, ...] = ()
    seed: int = 0  # variant i was drawn with the RNG seeded to seed + i
    fixed: bool = False  # True: the same seed every frame (stable variants)

    @property
    def changed_count(self) -> int:
        """Variants whose prediction differs from the original's."""
        return sum(v.changed for v in self.variants)


@dataclass(frozen=True)
class UnitRecord:
    """One selected channel (or dense unit): its activation, incoming kernels and receptive field."""

    layer: str  # module path of the selected layer
    index: int  # channel or unit index
    activation: np.ndarray  # H x W float32 (a dense unit is 1 x 1)
    input_image: np.ndarray  # the network input, uint8 H x W or H x W x 3
    kernels: np.ndarray | None  # uint8 mosaic of the incoming kernels (diverging, 128 = 0), None for weightless layers
    kernel_grid: tuple[int, int] = (1, 1)  # (rows, cols) of kernel tiles
    kernel_range: tuple[float, float] = (0.0, 0.0)  # weight values drawn as colours 0 and 255
    kernel_source: str = ""  # the module whose weights are shown, e.g. "c1.0"
    receptive_field: tuple[int, int, int, int] | None = None  # (x0, y0, x1, y1) input pixels, inclusive-exclusive
    peak: tuple[int, int] = (0, 0)  # (row, col) of the strongest activation (where the field is drawn)

    @property
    def value(self) -> float:
        """The activation at the peak position."""
        return float(self.activation[self.peak])


@dataclass(frozen=True)
class FiltersRecord:
    """The first convolutional layer's learned filters as one image."""

    layer: str  # module path of the first convolution
    image: np.ndarray  # uint8 mosaic: rows x cols (gray, diverging, 128 = 0) or rows x cols x 3 (RGB filters)
    grid: tuple[int, int]  # (rows, cols) of filter tiles
    tile: tuple[int, int]  # (kh, kw) of one filter
    count: int  # number of filters
    value_range: tuple[float, float] = (0.0, 0.0)  # weights drawn as 0 and 255 (gray filters)


@dataclass(frozen=True)
class SaliencyRecord:
    """A saliency map for the predicted class (Grad-CAM or input gradient), the size of the input."""

    heatmap: np.ndarray  # H x W uint8, 0..255 = 0..max of the class activation map
    input_image: np.ndarray  # the network input, uint8 H x W or H x W x 3
    class_index: int
    layer: str  # the module whose activations and gradients were used ("input" for the gradient)
    cam_max: float = 0.0  # the map's maximum before scaling (0: no evidence)
    method: str = "gradcam"  # "gradcam" or "gradient"


@dataclass(frozen=True)
class ArithmeticParams:
    """The unit whose arithmetic is shown: channel ``index`` of the map ``layer`` (as the maps name
    it; a block means its convolution), at row ``y`` and column ``x`` (-1: where it fires most now)."""

    layer: str
    index: int
    y: int = -1
    x: int = -1

    def __post_init__(self) -> None:
        for name in ("index", "y", "x"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < (0 if name == "index" else -1):
                raise ValueError(f"a unit's {name} is a whole number from {0 if name == 'index' else -1}, not {value!r}")
