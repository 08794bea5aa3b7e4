"""Colour maps as 256-entry lookup tables: sequential after ReLU, diverging around 0 when signed."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage, QPixmap

SEQUENTIAL = "inferno"
DIVERGING = "CET-D1"


@lru_cache(maxsize=8)
def lut(signed: bool) -> np.ndarray:
    """256 x 3 uint8 lookup table for a layer (cached: tables are built once)."""
    cmap = pg.colormap.get(DIVERGING if signed else SEQUENTIAL)
    table = cmap.getLookupTable(0.0, 1.0, nPts=256, alpha=False)
    return np.ascontiguousarray(table, dtype=np.uint8)


def gradient_pixmap(signed: bool, width: int = 160, height: int = 12) -> QPixmap:
    """A horizontal strip of the colour map, for the colour-scale legend."""
    ramp = np.ascontiguousarray(np.repeat(lut(signed)[None, :, :], height, axis=0))
    image = QImage(ramp.data, 256, height, 256 * 3, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy()).scaled(width, height)
