"""From any grey picture of a string of digits to the string reader's 32-pixel strip (numpy and OpenCV).

One preparation for every way a string reaches the network (the pad's wide canvas, a camera
region, an image file, the composed training and test strings): the ink is found (either
polarity; a photo's uneven lighting divided out), cropped to its bounding box, scaled so
that the string's ink is ``INK_HEIGHT`` pixels high (MNIST's 20-pixel box) and centred in a
32-pixel-high strip with ``MARGIN`` pixels of background at each end, white ink on black as
the network was trained. ``viz_app.models.strings`` normalises it into the network's input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viz_app.errors import UserError
from viz_app.inputs.photo import contrast, ink_is_dark, noise_level, to_gray
from viz_app.opencv import cv2

FIELD = 32  # input pixels one output column of the string reader sees (its receptive field), also the strip's height
STRIDE = 2  # input pixels between two output columns
STRIP_HEIGHT = FIELD  # 32
INK_HEIGHT = 20  # the string's ink is scaled to this height, as MNIST's digits fit a 20-pixel box
MARGIN = FIELD // 2  # background at each end, so that a column can centre on the first digit
MAX_STRIP_WIDTH = 2400  # about 100 digits; a longer string is refused
WORK_SIDE = 640  # a photo's longer side is reduced to this before its ink is looked for (a 32-digit string keeps ~20 pixels a digit)
MIN_CONTRAST = 0.12  # as in viz_app.inputs.photo: ink differs from the paper by 12% ...
MIN_GREY = 10.0  # ... and by this many grey levels


class StripError(UserError, ValueError):
    """A picture that holds no string the network could read (no ink, far too long)."""


class NoInkError(StripError):
    """A picture with no ink at all: an empty frame for the window, an error for `cnn-viz read`."""


@dataclass(frozen=True)
class StripPixels:
    """The strip with the way back to the picture's pixels: ``pixels`` is 32 x W uint8 (white ink
    on black); strip x maps to picture x as ``x0 + (x - MARGIN) / scale``."""

    pixels: np.ndarray
    scale: float  # strip pixels per picture pixel
    x0: float  # picture x of the ink's left edge
    y0: float  # picture y of the ink's top edge

    def column_x(self, t: int | float) -> float:
        """The picture x at the centre of output column ``t``."""
        return self.x0 + (STRIDE * t + FIELD / 2 - MARGIN) / self.scale


def strip_pixels(gray: np.ndarray, *, clean: bool | None = None) -> StripPixels:
    """The strip of ``gray`` (any grey or RGB picture of a string, either polarity) with its geometry;
    a StripError when there is no ink (NoInkError) or the string is too long to read.

    ``clean`` says the picture is already ink on a flat background (the pad, a composed
    string); None decides from the picture itself.
    """
    ink, factor = string_ink(gray, clean=clean)
    mask = ink > 0
    if not mask.any():
        raise NoInkError("no ink found: the picture holds no string of digits")
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = INK_HEIGHT / h
    new_w = max(1, round(w * scale))
    width = max(FIELD, 2 * MARGIN + new_w)
    width += (FIELD - width) % STRIDE  # whole columns: (W - 32) divisible by 4
    if width > MAX_STRIP_WIDTH:
        raise StripError(
            f"the string is too long to read: {new_w:,} pixels wide at the network's {INK_HEIGHT}-pixel ink height, "
            f"at most {MAX_STRIP_WIDTH - 2 * MARGIN:,} (about 100 digits); crop it or write it on more lines"
        )
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(np.ascontiguousarray(crop), (new_w, INK_HEIGHT), interpolation=interp)
    pixels = np.zeros((STRIP_HEIGHT, width), np.uint8)
    top = (STRIP_HEIGHT - INK_HEIGHT) // 2
    pixels[top : top + INK_HEIGHT, MARGIN : MARGIN + new_w] = scaled
    return StripPixels(pixels, scale * factor, cols[0] / factor, rows[0] / factor)


def string_ink(gray: np.ndarray, *, clean: bool | None = None) -> tuple[np.ndarray, float]:
    """(white-on-black ink with background exactly 0, its scale to ``gray``'s pixels).

    A clean picture (most pixels one flat value at either end of the grey scale) is taken as
    it is, inverted if the ink is dark; anything else goes through the photo path.
    """
    gray = to_gray(np.asarray(gray))
    if gray.dtype != np.uint8:
        raise StripError(f"expected 8-bit grey pixels, got {gray.dtype}")
    if gray.size == 0 or min(gray.shape) < 2:
        raise StripError(f"the picture is too small to hold a string ({gray.shape[1] if gray.ndim == 2 else 0} pixels wide)")
    if clean is None:
        clean = _is_clean(gray)
    if clean:
        paper = int(np.bincount(gray[:: max(1, gray.shape[0] // 64), :: max(1, gray.shape[1] // 256)].ravel(), minlength=256).argmax())
        ink = 255 - gray if paper > 127 else gray.copy()
        ink[ink < 24] = 0  # the faint rim of anti-aliasing or JPEG noise is no ink
        return ink, 1.0
    return _photo_ink(gray)


def _is_clean(gray: np.ndarray) -> bool:
    """Most pixels share one value near black or white: drawn or composed ink, not a photo."""
    sample = gray[:: max(1, gray.shape[0] // 64), :: max(1, gray.shape[1] // 256)]
    counts = np.bincount(sample.ravel(), minlength=256)
    paper = int(counts.argmax())
    return (paper <= 8 or paper >= 247) and counts[paper] >= 0.5 * sample.size


def _photo_ink(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """A photo or scan's ink: lighting divided out, Otsu's threshold, specks and paper edges dropped."""
    longer = max(gray.shape)
    factor = min(1.0, WORK_SIDE / longer)
    if factor < 1.0:
        size = (max(1, round(gray.shape[1] * factor)), max(1, round(gray.shape[0] * factor)))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    noise = noise_level(gray)
    gray = cv2.GaussianBlur(gray, (0, 0), 0.8)
    c, diff = contrast(gray, ink_is_dark(gray))
    c8 = (c * 255 + 0.5).astype(np.uint8)
    otsu, _ = cv2.threshold(c8, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    threshold = max(otsu, MIN_CONTRAST * 255)
    mask = (c8 > threshold) & (diff > max(MIN_GREY, 3.0 * noise))
    keep = _string_components(mask)
    if not keep.any():
        return np.zeros(gray.shape, np.uint8), factor
    rim = cv2.dilate(keep.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    core = np.percentile(c8[keep], 75)
    low = threshold / 2
    level = np.clip((c8.astype(np.float32) - low) / max(core - low, 1.0), 0.0, 1.0)
    return np.where(rim & (c8 > low), level * 255 + 0.5, 0).astype(np.uint8), factor


def _string_components(mask: np.ndarray) -> np.ndarray:
    """The components that look like the string's strokes: not paper edges, not specks
    (under a quarter of the tallest stroke's height and far from the tallest strokes' line)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return np.zeros_like(mask)
    h, w = mask.shape
    x0, y0, bw, bh = stats[1:, 0], stats[1:, 1], stats[1:, 2], stats[1:, 3]
    touches = (x0 == 0) | (y0 == 0) | (x0 + bw == w) | (y0 + bh == h)
    edge_like = touches & ((bw > 0.9 * w) | (bh > 0.9 * h))
    tall = np.where(edge_like, 0, bh)
    tallest = int(tall.max())
    if tallest < max(4, 0.03 * min(h, w)):
        return np.zeros_like(mask)
    big = tall >= 0.5 * tallest
    line_top, line_bottom = int(y0[big].min()), int((y0 + bh)[big].max())
    keep = np.zeros(n, bool)
    on_line = (y0 + bh >= line_top) & (y0 <= line_bottom)
    keep[1:] = ~edge_like & on_line & (tall >= 0.25 * tallest)
    return keep[labels]
