"""The drawing pad's wide canvas for a string of digits (a postcode, a cheque amount)."""

from __future__ import annotations

import numpy as np

from viz_app.sources.strokes import StrokeCanvas

STRING_CELLS = 5  # the string canvas is this many digit squares wide: a postcode at the pad's own scale


class StripCanvas(StrokeCanvas):
    """A ``size`` high, ``cells * size`` wide ink canvas; strokes draw as on the square one.

    ``size`` stays the height of one digit's square, so that pen widths and scripted strokes
    (fractions of ``size``) mean the same on both canvases.
    """

    def __init__(self, size: int = 280, cells: int = STRING_CELLS, pen_width: float = 20.0) -> None:
        super().__init__(size, pen_width)
        self.cells = cells
        self._ink = np.zeros((size, size * cells), np.uint8)

    @property
    def width(self) -> int:
        """Canvas pixels across."""
        return int(self._ink.shape[1])

    def runs_off(self, margin: int = 2) -> bool:
        """Whether ink touches the left or right edge: the string may go on beyond the canvas."""
        return bool(self._ink[:, :margin].any() or self._ink[:, -margin:].any())
