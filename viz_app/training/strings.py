"""Strings of handwritten digits composed from MNIST digits, seeded (numpy and OpenCV).

A string is its digits' ink laid side by side on one line, white on black at MNIST's scale
(each digit keeps its 28 rows, so MNIST's vertical centring stays; its columns are cropped
to its ink). The gap between two digits' ink boxes runs from overlapping (a negative gap of
up to 30% of the narrower digit: the strokes cross, as when a postcode is written fast)
through touching (0) to wide; overlapping ink is merged by its maximum, as two pen strokes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from viz_app.models.recipes import Distortion
from viz_app.opencv import cv2
from viz_app.training.mnist import Digits

FIELD = 28  # MNIST's digit field
JITTER = 2  # rows a digit may sit above or below the line
TOUCHING_OVERLAP = 0.3  # the most a touching gap overlaps, as a share of the narrower digit
SEPARATE_GAPS = (2, 14)  # pixels between the ink boxes of separate digits (MNIST scale)
EVAL_STRINGS = 2000
EVAL_SEED = 1998
EVAL_LENGTHS = (3, 6)


@dataclass(frozen=True)
class ComposedString:
    """One composed string: ink (H x W uint8, white on black), its text, and whether any two
    neighbouring digits touch or overlap."""

    ink: np.ndarray
    text: str
    touching: bool


def _distort(digit: np.ndarray, d: Distortion, rng: np.random.Generator) -> np.ndarray:
    """One MNIST digit rotated, scaled, sheared and thickened or thinned around its centre."""
    angle = math.radians(rng.uniform(-d.degrees, d.degrees))
    s = rng.uniform(*d.scale)
    sh = rng.uniform(-d.shear, d.shear)
    a = s * np.array([[math.cos(angle), -math.sin(angle) + sh], [math.sin(angle), math.cos(angle)]], np.float32)
    c = np.array([FIELD / 2, FIELD / 2], np.float32)
    m = np.hstack([a, (c - a @ c)[:, None]]).astype(np.float32)
    out = cv2.warpAffine(digit, m, (FIELD, FIELD), flags=cv2.INTER_LINEAR, borderValue=0)
    k = int(rng.integers(d.thickness[0], d.thickness[1] + 1))
    if k > 0:
        out = cv2.dilate(out, np.ones((2, 2), np.uint8))
    elif k < 0:
        thin = cv2.erode(out, np.ones((2, 2), np.uint8))
        out = thin if np.count_nonzero(thin > 64) >= 20 else out
    return out


def _ink_columns(digit: np.ndarray) -> np.ndarray:
    """The digit's 28 rows, cropped to the columns that hold ink."""
    cols = np.flatnonzero(digit.max(axis=0) > 0)
    if len(cols) == 0:
        return digit[:, 13:15]
    return digit[:, cols[0] : cols[-1] + 1]


def compose(digits: Sequence[np.ndarray], gaps: Sequence[int], rng: np.random.Generator, jitter: int = JITTER) -> np.ndarray:
    """Lay ``digits`` (28 x 28 uint8) on one line with ``gaps`` (len - 1) pixels between their ink boxes."""
    parts = [_ink_columns(d) for d in digits]
    xs = [0]
    for part, gap in zip(parts[:-1], gaps):
        xs.append(max(0, xs[-1] + part.shape[1] + int(gap)))
    width = max((x + p.shape[1] for x, p in zip(xs, parts)), default=1)
    ink = np.zeros((FIELD + 2 * jitter, width), np.uint8)
    for x, part in zip(xs, parts):
        y = jitter + int(rng.integers(-jitter, jitter + 1)) if jitter else 0
        region = ink[y : y + FIELD, x : x + part.shape[1]]
        np.maximum(region, part, out=region)
    return ink


def gap_for(kind: str, left: np.ndarray, right: np.ndarray, rng: np.random.Generator) -> int:
    """A gap between two digits: 'touching' (overlap to touching) or 'separate' (2-14 pixels)."""
    if kind == "touching":
        narrower = min(_ink_columns(left).shape[1], _ink_columns(right).shape[1])
        return -round(rng.uniform(0.0, TOUCHING_OVERLAP) * narrower)
    return int(rng.integers(SEPARATE_GAPS[0], SEPARATE_GAPS[1] + 1))


def random_string(
    source: Digits,
    n: int,
    kind: str,
    rng: np.random.Generator,
    distortion: Distortion | None = None,
    jitter: int = JITTER,
    touching_share: float = 0.45,
) -> ComposedString:
    """``n`` random digits of ``source`` composed with gaps of ``kind`` ('touching', 'separate' or
    'mixed': each gap touching with probability ``touching_share``)."""
    index = rng.integers(0, len(source), size=n)
    digits = [source.images[i] for i in index]
    if distortion is not None:
        digits = [_distort(d, distortion, rng) for d in digits]
    kinds = [kind if kind != "mixed" else ("touching" if rng.random() < touching_share else "separate") for _ in range(max(0, n - 1))]
    gaps = [gap_for(k, a, b, rng) for k, a, b in zip(kinds, digits[:-1], digits[1:])]
    text = "".join(str(int(source.labels[i])) for i in index)
    if n == 0:
        return ComposedString(np.zeros((FIELD, FIELD), np.uint8), "", False)
    return ComposedString(compose(digits, gaps, rng, jitter), text, any(g <= 0 for g in gaps))


def evaluation_strings(test: Digits, n: int = EVAL_STRINGS, seed: int = EVAL_SEED) -> list[ComposedString]:
    """The fixed evaluation set: ``n`` strings of 3-6 MNIST test digits, half touching, half separate."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        length = int(rng.integers(EVAL_LENGTHS[0], EVAL_LENGTHS[1] + 1))
        out.append(random_string(test, length, "touching" if i % 2 == 0 else "separate", rng, jitter=1))
    return out
