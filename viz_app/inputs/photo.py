"""From a photo, scan or camera frame of a handwritten digit to MNIST-style ink.

The network was trained on white ink on a black field; a lecturer holds up dark ink on
white paper under a lecture hall's uneven light. ``extract_ink`` bridges the two: it
estimates the paper (a large-kernel morphological background), divides the lighting out,
detects which way round the ink is, thresholds with Otsu while keeping the strokes' grey
levels, and keeps only the digit's own connected components. Its output goes straight into
``viz_app.inputs.digit.mnist_digit`` (the drawing pad's preprocessing).
"""

from __future__ import annotations

import numpy as np

from viz_app.opencv import cv2

Roi = tuple[int, int, int, int]  # x, y, width, height in image pixels

WORK_SIZE = 192  # the longer side of the ROI is reduced to this before any processing
MIN_WORK_SIZE = 112  # and a smaller ROI is enlarged to this
MIN_CONTRAST = 0.12  # ink must differ from the paper by 12% of the paper's brightness
MIN_GREY = 10.0  # and by at least this many grey levels
MIN_SIZE = 0.1  # the digit spans at least this share of the ROI's longer side
MIN_PART = 0.08  # a second stroke is kept if it has at least this share of the main one's ink


def crop(image: np.ndarray, roi: Roi | None) -> np.ndarray:
    """The part of ``image`` inside ``roi`` (x, y, w, h), clipped to the image; the whole image for None."""
    if roi is None:
        return image
    x, y, w, h = (int(v) for v in roi)
    height, width = image.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    if x1 <= x0 or y1 <= y0:
        raise ValueError(f"region of interest {roi} lies outside the {width}x{height} image")
    return image[y0:y1, x0:x1]


def to_gray(image: np.ndarray) -> np.ndarray:
    """uint8 gray from uint8 gray, RGB or RGBA."""
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] in (3, 4):
        return cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2GRAY)
    raise ValueError(f"expected a gray or RGB image, got shape {image.shape}")


def _working_size(gray: np.ndarray) -> np.ndarray:
    """Large frames reduced to WORK_SIZE; tiny ones (a 28x28 scan) enlarged to MIN_WORK_SIZE,
    so that the kernels, the blur and the grey rims all act at a sensible scale."""
    longer = max(gray.shape)
    if MIN_WORK_SIZE <= longer <= WORK_SIZE:
        return np.ascontiguousarray(gray)
    scale = (WORK_SIZE if longer > WORK_SIZE else MIN_WORK_SIZE) / longer
    size = (max(1, round(gray.shape[1] * scale)), max(1, round(gray.shape[0] * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def _background(gray: np.ndarray, dark_ink: bool) -> np.ndarray:
    """The paper (or board) without the strokes, float32: a closing (opening for light ink)
    with a kernel wider than any stroke, computed at quarter size since lighting is smooth."""
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    k = max(3, (max(small.shape) // 4) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    op = cv2.MORPH_CLOSE if dark_ink else cv2.MORPH_OPEN
    bg = cv2.morphologyEx(small, op, kernel, borderType=cv2.BORDER_REPLICATE)
    bg = cv2.GaussianBlur(bg.astype(np.float32), (0, 0), max(1.0, k / 4))
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)


def ink_is_dark(gray: np.ndarray) -> bool:
    """Whether the ink is darker than its surroundings (the usual pen on paper).

    The background is the majority, so a local median is background: the side on which more
    pixels stand clearly apart from it is the ink.
    """
    h, w = gray.shape
    small = cv2.resize(gray, (max(3, w // 2), max(3, h // 2)), interpolation=cv2.INTER_AREA)
    k = max(3, (max(small.shape) // 3) | 1)
    median = cv2.medianBlur(small, min(k, 255)).astype(np.int16)
    diff = small.astype(np.int16) - median
    spread = max(8, int(np.percentile(np.abs(diff), 90)) // 2)
    darker = np.count_nonzero(diff < -spread) * np.abs(diff[diff < -spread]).mean() if (diff < -spread).any() else 0
    lighter = np.count_nonzero(diff > spread) * diff[diff > spread].mean() if (diff > spread).any() else 0
    return darker >= lighter


def contrast(gray: np.ndarray, dark_ink: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """How much each pixel stands out from the paper as ink: (relative to the paper's
    brightness in [0, 1], in grey levels), both float32."""
    if dark_ink is None:
        dark_ink = ink_is_dark(gray)
    g = gray.astype(np.float32) if dark_ink else 255.0 - gray.astype(np.float32)
    bg = _background(g.astype(np.uint8), dark_ink=True)
    diff = np.maximum(bg - g, 0.0)
    return np.minimum(diff / np.maximum(bg, 16.0), 1.0), diff  # dividing the lighting out


def noise_level(gray: np.ndarray) -> float:
    """Standard deviation of the sensor noise, from the median absolute deviation of the
    difference to a 3x3 median (which keeps edges, so strokes hardly count)."""
    residual = gray.astype(np.int16) - cv2.medianBlur(gray, 3).astype(np.int16)
    return 1.4826 * float(np.median(np.abs(residual)))


def _main_components(mask: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The digit's components: the heaviest one away from the border (the border if none),
    plus any others that carry a fair share of ink and sit near it; specks and paper edges go."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if n <= 1:
        return np.zeros_like(mask)
    h, w = mask.shape
    mass = np.bincount(labels.ravel(), weights=weight.ravel(), minlength=n)
    mass[0] = 0
    x0, y0, bw, bh = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    touches = (x0 == 0) | (y0 == 0) | (x0 + bw == w) | (y0 + bh == h)
    # A component spanning most of a side is a paper edge or a shadow, not a digit.
    edge_like = touches & ((bw > 0.9 * w) | (bh > 0.9 * h))
    candidates = [i for i in range(1, n) if not touches[i]] or [i for i in range(1, n) if not edge_like[i]]
    if not candidates:
        return np.zeros_like(mask)
    main = max(candidates, key=lambda i: mass[i])
    if max(bw[main], bh[main]) < MIN_SIZE * max(h, w):
        return np.zeros_like(mask)  # a dot or a speck alone is no digit
    mx0, my0, mx1, my1 = x0[main], y0[main], x0[main] + bw[main], y0[main] + bh[main]
    size = max(mx1 - mx0, my1 - my0)
    reach = 0.5 * size
    keep = np.zeros(n, bool)
    keep[main] = True
    for i in range(1, n):
        if i == main or edge_like[i] or mass[i] < MIN_PART * mass[main]:
            continue
        gap_x = max(0, mx0 - (x0[i] + bw[i]), x0[i] - mx1)
        gap_y = max(0, my0 - (y0[i] + bh[i]), y0[i] - my1)
        if max(gap_x, gap_y) <= reach:
            keep[i] = True
    return keep[labels]


def extract_ink(image: np.ndarray, roi: Roi | None = None) -> np.ndarray:
    """White-on-black ink (uint8, background exactly 0) of the digit in ``image`` (inside ``roi``).

    Works on dark ink on light paper and light ink on a dark board alike; the result is
    MIN_WORK_SIZE to WORK_SIZE pixels on its longer side (same aspect as the ROI) and all
    zero when there is no clear ink.
    """
    gray = _working_size(to_gray(crop(image, roi)))
    if min(gray.shape) < 8:
        return np.zeros(gray.shape, np.uint8)
    noise = noise_level(gray)
    gray = cv2.GaussianBlur(gray, (0, 0), 0.8)  # sensor noise, down to about a third
    c, diff = contrast(gray)
    c8 = (c * 255 + 0.5).astype(np.uint8)
    otsu, _ = cv2.threshold(c8, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    threshold = max(otsu, MIN_CONTRAST * 255)
    # Ink stands clear of the noise too, not only of the paper's brightness (dim light).
    mask = (c8 > threshold) & (diff > max(MIN_GREY, 3.0 * noise))
    if not mask.any():
        return np.zeros(gray.shape, np.uint8)
    keep = _main_components(mask, c)
    if not keep.any():
        return np.zeros(gray.shape, np.uint8)
    # Grey levels: the stroke cores become 255, the anti-aliased rim just inside the kept
    # strokes (one pixel around them, above half the threshold) fades out as in MNIST.
    rim = cv2.dilate(keep.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    core = np.percentile(c8[keep], 75)
    low = threshold / 2
    level = np.clip((c8.astype(np.float32) - low) / max(core - low, 1.0), 0.0, 1.0)
    ink = np.where(rim & (c8 > low), level * 255 + 0.5, 0).astype(np.uint8)
    return ink


def centre_square(image: np.ndarray) -> np.ndarray:
    """The largest centred square of an image (ImageNet models see a centre crop)."""
    h, w = image.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    return image[y : y + side, x : x + side]


def network_image(image: np.ndarray, roi: Roi | None, channels: int) -> np.ndarray:
    """What a camera, video or photo frame becomes before the worker sees it: the digit's ink
    (white on black) for a digit model (``channels == 1``), else the RGB centre crop of the ROI."""
    if channels == 1:
        return extract_ink(image, roi)
    return np.ascontiguousarray(centre_square(crop(image, roi)))
