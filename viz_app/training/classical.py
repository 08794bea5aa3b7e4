"""The classical string reader the SDNN is measured against: segment first, then recognise.

Connected components of the ink (8-connected), pieces of one digit merged (a broken stroke
whose columns mostly overlap another component's), blobs much wider than a digit split
where their column profile holds least ink near the equal-split points, and each piece
prepared as MNIST was (``mnist_digit``) and read by LeNet-5. Touching digits are what
defeats it: a wrong segmentation cannot be undone by the recogniser.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from viz_app.inputs.digit import mnist_digit
from viz_app.models.inputs import digits_to_tensor
from viz_app.models.registry import ModelSpec
from viz_app.opencv import cv2

INK_THRESHOLD = 40  # grey level above which a pixel is ink
MIN_AREA = 0.02  # a component with less than 2% of the largest one's pixels is a speck
MERGE_OVERLAP = 0.6  # components whose columns overlap this much (of the narrower) are one digit
FRAGMENT = 0.35  # a component under this share of the median one is a broken-off stroke
DIGIT_ASPECT = 0.7  # a digit is about this wide for the line's height ...
SPLIT_ABOVE = 1.2  # ... and a blob wider than this times the line's height holds more than one


def _components(ink: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """(x0, x1, mask) of each group of components that make one blob, left to right."""
    mask = (ink > INK_THRESHOLD).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return []
    largest = stats[1:, cv2.CC_STAT_AREA].max()
    boxes = [
        (int(stats[i, 0]), int(stats[i, 0] + stats[i, 2]), labels == i, int(stats[i, cv2.CC_STAT_AREA]))
        for i in range(1, n)
        if stats[i, cv2.CC_STAT_AREA] >= MIN_AREA * largest
    ]
    boxes.sort(key=lambda b: b[0])
    typical = float(np.median([b[3] for b in boxes]))
    merged: list[tuple[int, int, np.ndarray, int]] = []
    for box in boxes:
        if merged:
            last = merged[-1]
            overlap = min(last[1], box[1]) - max(last[0], box[0])
            fragment = min(last[3], box[3]) < FRAGMENT * typical  # a broken-off stroke joins its neighbour
            if overlap >= MERGE_OVERLAP * min(last[1] - last[0], box[1] - box[0]) or (fragment and overlap > -2):
                merged[-1] = (min(last[0], box[0]), max(last[1], box[1]), last[2] | box[2], last[3] + box[3])
                continue
        merged.append(box)
    return [(x0, x1, m) for x0, x1, m, _ in merged]


def _split(x0: int, x1: int, mask: np.ndarray, height: int) -> list[tuple[int, int]]:
    """Column ranges of the digits in one blob: itself, or cut at the profile's valleys."""
    width = x1 - x0
    if width <= SPLIT_ABOVE * height:
        return [(x0, x1)]
    n = max(2, round(width / (DIGIT_ASPECT * height)))
    profile = mask[:, x0:x1].sum(axis=0).astype(np.float32)
    cuts = [x0]
    for k in range(1, n):
        centre = round(k * width / n)
        reach = max(1, width // (3 * n))
        lo, hi = max(1, centre - reach), min(width - 1, centre + reach)
        cuts.append(x0 + lo + int(np.argmin(profile[lo:hi])) if hi > lo else x0 + centre)
    cuts.append(x1)
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]


def segment(ink: np.ndarray) -> list[np.ndarray]:
    """The string's digits as 28x28 MNIST-style fields, left to right."""
    fields = []
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    height = int(rows[-1] - rows[0] + 1) if len(rows) else 1  # the line's height: a digit's, roughly
    for x0, x1, mask in _components(ink):
        for a, b in _split(x0, x1, mask, height):
            piece = np.where(mask[:, a:b], ink[:, a:b], 0).astype(np.uint8)
            digit = mnist_digit(piece)
            if digit is not None:
                fields.append(digit)
    return fields


@torch.inference_mode()
def read_classical(inks: list[np.ndarray], model: nn.Module, spec: ModelSpec) -> list[str]:
    """The text of each ink image (white on black) by segmentation and a digit recogniser."""
    model.eval()
    pieces = [segment(ink) for ink in inks]
    flat = [d for p in pieces for d in p]
    if not flat:
        return ["" for _ in inks]
    labels = []
    for start in range(0, len(flat), 1000):
        x = digits_to_tensor(np.stack(flat[start : start + 1000]), spec)
        labels.extend(model(x).argmax(1).tolist())
    texts, at = [], 0
    for p in pieces:
        texts.append("".join(spec.classes[c] for c in labels[at : at + len(p)]))
        at += len(p)
    return texts
