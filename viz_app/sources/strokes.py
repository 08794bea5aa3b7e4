"""The drawing pad's ink, rasterised without Qt so that every source yields the same kind of frame."""

from __future__ import annotations

import numpy as np

from viz_app.opencv import cv2


class StrokeCanvas:
    """A square ink canvas (white ink on black, uint8) that pen strokes are drawn into."""

    def __init__(self, size: int = 280, pen_width: float = 20.0) -> None:
        self.size = size
        self.pen_width = pen_width
        self._ink = np.zeros((size, size), np.uint8)
        self._last: tuple[float, float] | None = None
        self.version = 0  # bumps on every change, so a consumer can skip unchanged canvases

    @property
    def ink(self) -> np.ndarray:
        return self._ink

    @property
    def last_point(self) -> tuple[float, float] | None:
        """Where the current stroke ends, or None between strokes."""
        return self._last

    @property
    def is_blank(self) -> bool:
        return not self._ink.any()

    def clear(self) -> None:
        self._ink.fill(0)
        self._last = None
        self.version += 1

    def begin(self, x: float, y: float) -> None:
        """Start a stroke at canvas coordinates (x, y), leaving a dot."""
        self._last = (x, y)
        self._segment(x, y, x, y)

    def extend(self, x: float, y: float) -> None:
        """Continue the current stroke to (x, y)."""
        if self._last is None:
            self.begin(x, y)
            return
        x0, y0 = self._last
        self._segment(x0, y0, x, y)
        self._last = (x, y)

    def end(self) -> None:
        self._last = None

    def draw_polyline(self, points: list[tuple[float, float]]) -> None:
        """Draw one whole stroke (for scripted input)."""
        if not points:
            return
        self.begin(*points[0])
        for p in points[1:]:
            self.extend(*p)
        self.end()

    def _segment(self, x0: float, y0: float, x1: float, y1: float) -> None:
        shift = 4  # sub-pixel precision for smooth, anti-aliased strokes
        f = 1 << shift
        p0 = (round(x0 * f), round(y0 * f))
        p1 = (round(x1 * f), round(y1 * f))
        thickness = max(1, round(self.pen_width))
        cv2.line(self._ink, p0, p1, 255, thickness, cv2.LINE_AA, shift)
        self.version += 1
