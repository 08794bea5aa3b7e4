"""A live frame with a region of interest the user moves and resizes on it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

Roi = tuple[int, int, int, int]  # x, y, width, height in image pixels
ROI_SHARE = 0.6  # the default ROI: a centred square over this share of the shorter side


class FrameView(pg.GraphicsLayoutWidget):
    """Shows RGB or gray uint8 frames; the yellow square is what goes to a digit model."""

    roi_changed = Signal(object)  # Roi

    def __init__(self, roi_share: float | None = ROI_SHARE, parent: QWidget | None = None) -> None:
        """``roi_share``: the default ROI's side as a share of the frame's shorter side, centred;
        None for the whole frame."""
        super().__init__(parent)
        self.roi_share = roi_share
        self.setBackground("#1e1e1e")
        self.view = self.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self.roi_item = pg.RectROI((0, 0), (1, 1), pen=pg.mkPen("#ffd200", width=2), movable=True, resizable=True, rotatable=False)
        self.roi_item.addScaleHandle((0, 0), (1, 1))
        self.roi_item.sigRegionChangeFinished.connect(self._on_region_changed)
        self.roi_item.setZValue(10)
        self.roi_item.hide()
        self.view.addItem(self.roi_item)
        self.text = pg.TextItem("", color="#dddddd", anchor=(0.5, 0.5))
        self.view.addItem(self.text)
        self._shape: tuple[int, int] | None = None

    # --- frames ---------------------------------------------------------------------------
    def show_frame(self, image: np.ndarray) -> None:
        """Draw a frame; a frame of a new size resets the view and centres the ROI."""
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        shape = (int(image.shape[0]), int(image.shape[1]))
        self.text.setText("")
        if shape != self._shape:
            self._shape = shape
            h, w = shape
            self.view.setRange(QRectF(0, 0, w, h), padding=0)
            self.roi_item.maxBounds = QRectF(0, 0, w, h)
            self.set_roi(default_roi(w, h, self.roi_share))
            self.roi_item.show()

    def show_text(self, text: str) -> None:
        """A line in the middle of the view (no camera, paused...)."""
        self.text.setText(text)
        if self._shape is None:
            self.view.setRange(QRectF(0, 0, 320, 240), padding=0)
            self.text.setPos(160, 120)
        else:
            self.text.setPos(self._shape[1] / 2, self._shape[0] / 2)

    # --- ROI ----------------------------------------------------------------------------------
    def roi(self) -> Roi | None:
        if self._shape is None:
            return None
        x, y = self.roi_item.pos()
        w, h = self.roi_item.size()
        return round(x), round(y), max(1, round(w)), max(1, round(h))

    def set_roi(self, roi: Roi) -> None:
        x, y, w, h = roi
        self.roi_item.setPos((x, y), update=False, finish=False)
        self.roi_item.setSize((w, h), update=True, finish=True)

    def _on_region_changed(self) -> None:
        roi = self.roi()
        if roi is not None:
            self.roi_changed.emit(roi)


def default_roi(width: int, height: int, share: float | None = ROI_SHARE) -> Roi:
    if share is None:
        return 0, 0, width, height
    side = max(8, round(min(width, height) * share))
    return (width - side) // 2, (height - side) // 2, side, side


def lay_out_source_tab(owner: QWidget, controls: Sequence[QWidget], view: QWidget, footer: QWidget) -> None:
    """A source tab's layout: a row of controls, the live view, a line of status below."""
    row = QHBoxLayout()
    for widget in controls:
        row.addWidget(widget)
    row.addStretch(1)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.addLayout(row)
    layout.addWidget(view, 1)
    layout.addWidget(footer)


def digit_view(size: int = 28) -> tuple[pg.GraphicsLayoutWidget, pg.ImageItem]:
    """A dark, square, fixed view of one size x size digit: (the widget, the image item to fill)."""
    view = pg.GraphicsLayoutWidget()
    view.setBackground("#1e1e1e")
    box = view.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
    box.setMenuEnabled(False)
    image = pg.ImageItem(axisOrder="row-major")
    box.addItem(image)
    box.setRange(xRange=(0, size), yRange=(0, size), padding=0)
    return view, image
