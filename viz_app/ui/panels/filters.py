"""The first convolutional layer's learned filters, each as a small image."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem, QWidget

from viz_app.records.frames import ModelInfo
from viz_app.records.panels import FiltersRecord, NoParams
from viz_app.ui.colours import lut
from viz_app.ui.panels.map_layout import tile_grid_path
from viz_app.ui.panels.map_title import MapTitle


class FiltersPanel(pg.GraphicsLayoutWidget):
    """Gray filters in a diverging colour map (0 in the middle); colour filters as RGB images."""

    params_changed = Signal(object)  # never: the filters extra has no parameters

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("#1e1e1e")
        self.title = MapTitle("First-layer filters", 12)  # elided to the panel: a long title ran the filters off the edge
        self.addItem(self.title, row=0, col=0)
        self.view = self.addViewBox(row=1, col=0, lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self.lines = QGraphicsPathItem()
        pen = QPen(Qt.GlobalColor.black)
        pen.setCosmetic(True)
        self.lines.setPen(pen)
        self.view.addItem(self.lines)
        self._shown: FiltersRecord | None = None
        self.shown = 0

    def set_text_px(self, px: int) -> None:
        """The title at ``px`` pixels (the window's labels' size)."""
        self.title.set_px(px)

    def params(self) -> NoParams:
        """Parameters of the filters extra (it has none)."""
        return NoParams()

    def model_changed(self, info: ModelInfo) -> None:
        """Nothing to forget: the new model's filters arrive with its first frame."""

    def show_record(self, record: FiltersRecord) -> None:
        """Draw the filters (once per record: they change only with the weights)."""
        if record is self._shown:  # the filters change only with the weights
            return
        self._shown = record
        if record.image.ndim == 2:
            self.image.setLookupTable(lut(True))
            self.image.setImage(record.image, autoLevels=False, levels=(0, 255))
            lo, hi = record.value_range
            scale = f"  [{lo:.3g}, {hi:.3g}], 0 in the middle"
        else:
            self.image.setLookupTable(None)
            self.image.setImage(record.image, autoLevels=False, levels=(0, 255))
            scale = "  (each filter stretched to its own range)"
        kh, kw = record.tile
        self.title.setText(f"{record.layer}: {record.count} filters of {kw}x{kh}{scale}")
        self.setToolTip(self.title.full_text)  # whole, where the title is cut
        self.lines.setPath(tile_grid_path(record.grid, record.tile))
        h, w = record.image.shape[:2]
        self.view.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)
        self.shown += 1
