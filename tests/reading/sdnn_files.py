"""Image files of digit strings composed from MNIST test digits, as a scan or photo would hold them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from viz_app.opencv import cv2
from viz_app.training.mnist import Digits
from viz_app.training.strings import compose


def string_ink(test: Digits, indices: list[int], gaps: list[int]) -> tuple[np.ndarray, str]:
    """White-on-black ink of the test digits ``indices`` laid with ``gaps``, and its text."""
    ink = compose([test.images[i] for i in indices], gaps, np.random.default_rng(0), jitter=0)
    return ink, "".join(str(int(test.labels[i])) for i in indices)


def write_scan(ink: np.ndarray, path: Path, *, dark_on_light: bool, scale: int = 4, photo: bool = False) -> Path:
    """``ink`` enlarged ``scale`` times on a page with margins; a photo gets uneven light and noise."""
    big = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    page = np.zeros((big.shape[0] + 80 * scale // 4, big.shape[1] + 120 * scale // 4), np.uint8)
    y, x = (page.shape[0] - big.shape[0]) // 2, (page.shape[1] - big.shape[1]) // 2
    page[y : y + big.shape[0], x : x + big.shape[1]] = big
    image = 255 - page if dark_on_light else page
    if photo:
        light = np.linspace(0.55, 1.0, image.shape[1])[None, :] * np.linspace(0.8, 1.0, image.shape[0])[:, None]
        noise = np.random.default_rng(1).normal(0, 4, image.shape)
        base = image.astype(np.float32) * 0.8 + 30 if dark_on_light else image.astype(np.float32) * 0.7 + 25
        image = np.clip(base * light + noise, 0, 255).astype(np.uint8)
    cv2.imwrite(str(path), image)
    return path
