"""The network's actual input after preprocessing, pixel for pixel."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget


class NetworkInputView(pg.GraphicsLayoutWidget):
    """What the network sees: its input image, titled with its size."""
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("#1e1e1e")
        self.title = self.addLabel("Network input", row=0, col=0, size="12px", color="#dddddd")
        self.view = self.addViewBox(row=1, col=0, lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self._shape: tuple[int, ...] = ()
        self._title_px = 12

    def set_title_px(self, px: int) -> None:
        """Draw the title at ``px`` pixels (text scaling, presentation)."""
        self._title_px = px
        self.title.setText(self.title.text, size=f"{px}px")

    def show_input(self, image: np.ndarray) -> None:
        """Draw the network input (uint8, H x W or H x W x 3)."""
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        if image.shape != self._shape:
            self._shape = image.shape
            h, w = image.shape[:2]
            self.view.setRange(xRange=(0, w), yRange=(0, h), padding=0)
            self.title.setText(f"Network input {w}x{h}")
