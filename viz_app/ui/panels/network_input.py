"""The network's actual input after preprocessing, pixel for pixel."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QWidget


class NetworkInputView(pg.GraphicsLayoutWidget):
    """What the network sees: its input image, titled with its size."""

    _shape: tuple[int, ...] = ()  # the input's shape as drawn (class defaults: resizes come during construction)
    _title_px = 12
    _titled: tuple[str, int] | None = None  # the title as shown, and its size

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("#1e1e1e")
        self.title = self.addLabel("Network input", row=0, col=0, size="12px", color="#dddddd")
        self.view = self.addViewBox(row=1, col=0, lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)

    def set_title_px(self, px: int) -> None:
        """Draw the title at ``px`` pixels (text scaling, presentation)."""
        self._title_px = px
        self._fit_title()

    def _fit_title(self) -> None:
        """The longest title that fits the width at the title's size ("Network input 32x32", "Input 32x32", "32x32")."""
        size = f"{self._shape[1]}x{self._shape[0]}" if len(self._shape) >= 2 else ""
        font = QFont()
        font.setPixelSize(self._title_px)
        metrics, room = QFontMetrics(font), self.width() - 12
        choices = [f"Network input {size}".strip(), f"Input {size}".strip(), size or "Input"]
        text = next((c for c in choices if metrics.horizontalAdvance(c) <= room), choices[-1])
        if (text, self._title_px) != self._titled:
            self._titled = (text, self._title_px)
            self.title.setText(text, size=f"{self._title_px}px")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if hasattr(self, "title"):
            self._fit_title()

    def show_input(self, image: np.ndarray) -> None:
        """Draw the network input (uint8, H x W or H x W x 3)."""
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        if image.shape != self._shape:
            self._shape = image.shape
            h, w = image.shape[:2]
            self.view.setRange(xRange=(0, w), yRange=(0, h), padding=0)
            self._fit_title()
