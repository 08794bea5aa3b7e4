"""Turning an ink image into a digit the way MNIST was made (numpy and OpenCV only).

MNIST's recipe (LeCun et al. 1998): the ink's bounding box is scaled to fit a 20x20 box
keeping its aspect ratio (anti-aliasing gives grey levels), then placed in a 28x28 field so
that its centre of mass sits at the centre. The network input pads that to 32x32.
"""

from __future__ import annotations

import numpy as np

from viz_app.opencv import cv2

FIELD = 28  # MNIST's field
BOX = 20  # the ink's bounding box is scaled to fit this


def mnist_digit(ink: np.ndarray, threshold: int = 0) -> np.ndarray | None:
    """A 28x28 uint8 digit (white ink on black) from an ink image, or None if there is no ink.

    ``ink`` is H x W uint8 with ink bright on a dark background; pixels at or below
    ``threshold`` count as background.
    """
    if ink.ndim != 2:
        raise ValueError(f"expected a 2-D ink image, got shape {ink.shape}")
    mask = ink > threshold
    if not mask.any():
        return None
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    crop = np.where(mask, ink, 0)[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.uint8)
    h, w = crop.shape
    scale = BOX / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    # INTER_AREA averages when shrinking; growing a tiny scribble uses bilinear.
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    box = cv2.resize(crop, (new_w, new_h), interpolation=interp)
    moments = cv2.moments(box, binaryImage=False)
    if moments["m00"] <= 0:
        return None
    cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
    # MNIST's digits have their centre of mass at pixel (14, 14) (mean over the test set: 14.00, 13.99).
    shift = np.array([[1, 0, FIELD / 2 - cx], [0, 1, FIELD / 2 - cy]], np.float32)
    return cv2.warpAffine(box, shift, (FIELD, FIELD), flags=cv2.INTER_LINEAR, borderValue=0)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(x, y) centre of mass of a gray image, in pixel coordinates."""
    m = cv2.moments(image.astype(np.float32), binaryImage=False)
    if m["m00"] <= 0:
        raise ValueError("image has no mass")
    return m["m10"] / m["m00"], m["m01"] / m["m00"]
