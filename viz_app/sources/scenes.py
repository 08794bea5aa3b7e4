"""The 1995 demo's scenes: one digit shifted, scaled, rotated, squeezed, thickened, buried in
noise and drawn in odd styles, step by step (numpy and OpenCV only).

LeCun's LeNet-5 demos played these live to show what the network tolerates. A scene maps a
28x28 MNIST-style digit (white ink on black, centre of mass at the centre) and one value of
its parameter to the 28x28 image the network sees. The result is *not* re-centred: a shift
must reach C1 and C3 as a shift. ``cnn-viz robustness`` measures accuracy at every step;
the Demo source plays them through the live window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from viz_app.opencv import cv2

FIELD = 28
CENTRE = (FIELD - 1) / 2  # the pixel grid's centre: a 90-degree turn about it is exact

Render = Callable[[np.ndarray, float, np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class Scene:
    """One transform played over a range: its name, what its parameter means, and its steps."""

    name: str
    title: str
    parameter: str  # what the value measures, with its unit: "degrees", "pixels", ...
    values: tuple[float, ...]
    render: Render
    neutral: float = 0.0  # the value that leaves the digit as it is
    names: tuple[str, ...] = ()  # a name for each value, where the values only number the steps

    def label(self, value: float) -> str:
        """How a step is called: its name, or its value."""
        if self.names:
            return self.names[int(value) % len(self.names)]
        return f"{value:g}"

    def apply(self, digit: np.ndarray, value: float, seed: int = 0) -> np.ndarray:
        """The 28x28 uint8 image the network sees for ``digit`` at ``value`` (noise seeded)."""
        if digit.shape != (FIELD, FIELD) or digit.dtype != np.uint8:
            raise ValueError(f"a scene takes a 28x28 uint8 digit, not {digit.dtype} {digit.shape}")
        return self.render(digit, float(value), np.random.default_rng(seed))


def _affine(digit: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return cv2.warpAffine(digit, matrix.astype(np.float32), (FIELD, FIELD), flags=cv2.INTER_LINEAR, borderValue=0)


def _scaled(sx: float, sy: float) -> np.ndarray:
    """Scale about the field's centre."""
    return np.array([[sx, 0, CENTRE * (1 - sx)], [0, sy, CENTRE * (1 - sy)]])


def translate(digit: np.ndarray, pixels: float, _rng: np.random.Generator) -> np.ndarray:
    """Shift right by ``pixels`` (left when negative), ink pushed off the edge is lost."""
    return _affine(digit, np.array([[1, 0, pixels], [0, 1, 0]]))


def rotate(digit: np.ndarray, degrees: float, _rng: np.random.Generator) -> np.ndarray:
    """Turn anticlockwise by ``degrees`` about the field's centre."""
    if degrees % 90 == 0:  # exact quarter turns, without interpolation
        return np.ascontiguousarray(np.rot90(digit, int(degrees // 90) % 4))
    return _affine(digit, cv2.getRotationMatrix2D((CENTRE, CENTRE), degrees, 1.0))


def scale(digit: np.ndarray, factor: float, _rng: np.random.Generator) -> np.ndarray:
    """Grow or shrink by ``factor`` about the field's centre."""
    return _affine(digit, _scaled(factor, factor))


def squeeze(digit: np.ndarray, factor: float, _rng: np.random.Generator) -> np.ndarray:
    """Narrow (factor < 1) or widen (> 1) horizontally only, as a squeezed character."""
    return _affine(digit, _scaled(factor, 1.0))


def stroke(digit: np.ndarray, pixels: float, _rng: np.random.Generator) -> np.ndarray:
    """Thicken (pixels > 0) or thin (< 0) the pen by a disc of that radius."""
    radius = int(round(abs(pixels)))
    if radius == 0:
        return digit.copy()
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(digit, kernel) if pixels > 0 else cv2.erode(digit, kernel)


def salt_and_pepper(digit: np.ndarray, density: float, rng: np.random.Generator) -> np.ndarray:
    """Set a ``density`` share of the pixels to black or white at random."""
    out = digit.copy()
    hit = rng.random(digit.shape) < density
    out[hit] = np.where(rng.random(int(hit.sum())) < 0.5, 0, 255)
    return out


def gaussian_noise(digit: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Add Gaussian noise of ``sigma`` grey levels."""
    return np.clip(digit.astype(np.float32) + rng.normal(0.0, sigma, digit.shape), 0, 255).astype(np.uint8)


def _hollow(digit: np.ndarray) -> np.ndarray:
    thick = stroke(digit, 1, np.random.default_rng(0))
    return cv2.subtract(thick, cv2.erode(thick, np.ones((3, 3), np.uint8)))


def _dotted(digit: np.ndarray) -> np.ndarray:
    grid = np.zeros((FIELD, FIELD), np.uint8)
    grid[::3, ::3] = 1
    dots = cv2.dilate(grid, np.ones((2, 2), np.uint8))
    return digit * dots


def _doubled(digit: np.ndarray) -> np.ndarray:
    return np.maximum(translate(digit, -1.5, np.random.default_rng(0)), translate(digit, 1.5, np.random.default_rng(0)))


def _serif(digit: np.ndarray) -> np.ndarray:
    """Short horizontal bars at the ink's top and bottom ends, as a serif face has."""
    out = digit.copy()
    rows = np.flatnonzero((digit > 64).any(axis=1))
    if rows.size:
        for row in (rows[0], rows[-1]):
            cols = np.flatnonzero(digit[row] > 64)
            centre = int(cols.mean())
            out[row, max(0, centre - 4) : min(FIELD, centre + 5)] = 255
    return out


def _italic(digit: np.ndarray) -> np.ndarray:
    """Slanted to the right, as italic type."""
    return _affine(digit, np.array([[1, -0.35, 0.35 * CENTRE], [0, 1, 0]]))


def _outline_shadow(digit: np.ndarray) -> np.ndarray:
    shadow = translate(digit, 2, np.random.default_rng(0))
    return np.maximum(digit // 2, cv2.subtract(shadow, digit))


STYLES: tuple[tuple[str, Callable[[np.ndarray], np.ndarray]], ...] = (
    ("plain", lambda d: d.copy()),
    ("hollow", _hollow),
    ("dotted", _dotted),
    ("doubled", _doubled),
    ("serif", _serif),
    ("shadow", _outline_shadow),
    ("italic", _italic),
)


def style(digit: np.ndarray, index: float, _rng: np.random.Generator) -> np.ndarray:
    """The digit in the ``index``-th unusual style of ``STYLES``."""
    return STYLES[int(index) % len(STYLES)][1](digit)


def _steps(start: float, stop: float, step: float) -> tuple[float, ...]:
    return tuple(float(v) for v in np.round(np.arange(start, stop + step / 2, step), 4))


SCENES: dict[str, Scene] = {
    scene.name: scene
    for scene in (
        Scene("translation", "Translation (not re-centred)", "pixels", _steps(-10, 10, 1), translate),
        Scene("scale", "Scale", "factor", _steps(0.5, 1.5, 0.1), scale, neutral=1.0),
        Scene("rotation", "Rotation", "degrees", _steps(-90, 90, 10), rotate),
        Scene("squeeze", "Squeezing", "width factor", _steps(0.4, 1.6, 0.1), squeeze, neutral=1.0),
        Scene("stroke", "Stroke width", "pixels", _steps(-1, 3, 1), stroke),
        Scene("salt_pepper", "Noise: salt and pepper", "density", _steps(0.0, 0.5, 0.05), salt_and_pepper),
        Scene("gaussian", "Noise: Gaussian", "sigma, grey levels", _steps(0, 160, 20), gaussian_noise),
        Scene("styles", "Unusual styles", "style", tuple(float(i) for i in range(len(STYLES))), style,
              names=tuple(name for name, _ in STYLES)),
    )
}


def get_scene(name: str) -> Scene:
    """The scene called ``name``; a ValueError lists the scenes otherwise."""
    try:
        return SCENES[name]
    except KeyError:
        raise ValueError(f"no scene {name!r}; scenes: {', '.join(SCENES)}") from None
