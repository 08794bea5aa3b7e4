"""One channel up close: its activation with a value scale, its incoming kernels, its receptive field."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainterPath, QPen, QResizeEvent
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem, QWidget

from viz_app.records.frames import ModelInfo
from viz_app.records.panels import UnitParams, UnitRecord
from viz_app.ui.colours import SEQUENTIAL, lut
from viz_app.ui.panels.map_layout import tile_grid_path
from viz_app.ui.panels.map_title import MapTitle

_FIELD_PEN = QPen(Qt.GlobalColor.green)
_FIELD_PEN.setCosmetic(True)
_FIELD_PEN.setWidth(2)
_GRID_PEN = QPen(Qt.GlobalColor.black)
_GRID_PEN.setCosmetic(True)
ONE_ROW = 2.0  # width / height above which the kernels sit beside the activation, not under it (a low side tab)


class UnitZoomPanel(pg.GraphicsLayoutWidget):
    """Shows the selected unit; ``select(layer, index)`` turns a mosaic click into a request for the unit extra."""

    params_changed = Signal(object)  # {"layer": ..., "index": ...} for the unit extra

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("#1e1e1e")
        # Titles elided to the panel: a long one ("c3 #4: 10x10, peak 3.21 at (4, 5)") must not widen the window.
        self.title = MapTitle("Click a feature map to zoom in", 12)
        self.activation_view = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.activation = pg.ImageItem(axisOrder="row-major")
        self.activation_view.addItem(self.activation)
        self.colour_bar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get(SEQUENTIAL), interactive=False, width=12)
        self.colour_bar.setImageItem(self.activation)
        self.input_view = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.input_image = pg.ImageItem(axisOrder="row-major")
        self.input_view.addItem(self.input_image)
        self.field = QGraphicsRectItem()
        self.field.setPen(_FIELD_PEN)
        self.field.setVisible(False)
        self.input_view.addItem(self.field)
        self.kernel_title = MapTitle("", 11)
        self.kernel_view = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.kernels = pg.ImageItem(axisOrder="row-major")
        self.kernels.setLookupTable(lut(True))
        self.kernel_view.addItem(self.kernels)
        self.kernel_lines = QGraphicsPathItem()
        self.kernel_lines.setPen(_GRID_PEN)
        self.kernel_view.addItem(self.kernel_lines)
        self.one_row: bool | None = None
        self._arrange(one_row=False)
        for view in (self.activation_view, self.input_view, self.kernel_view):
            view.setMenuEnabled(False)
        self.selection: tuple[str, int] | None = None
        self._shapes: dict[str, tuple[int, ...]] = {}
        self._text = ""
        self.shown = 0

    def _arrange(self, one_row: bool) -> None:
        """The activation, its scale and the input in one row with the kernels under them, or (``one_row``, a
        low wide tab) the kernels at the row's end, so that every picture gets the tab's height."""
        if one_row == self.one_row:
            return
        items = (self.title, self.activation_view, self.colour_bar, self.input_view, self.kernel_title, self.kernel_view)
        if self.one_row is not None:
            for item in items:
                self.ci.removeItem(item)
        self.one_row = one_row
        self.addItem(self.title, row=0, col=0, colspan=3)
        self.addItem(self.activation_view, row=1, col=0)
        self.addItem(self.colour_bar, row=1, col=1)
        self.addItem(self.input_view, row=1, col=2)
        self.addItem(self.kernel_title, row=0 if one_row else 2, col=3 if one_row else 0, colspan=1 if one_row else 3)
        self.addItem(self.kernel_view, row=1 if one_row else 3, col=3 if one_row else 0, colspan=1 if one_row else 3)

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802 (Qt's name)
        """A low wide tab puts every picture in one row (pyqtgraph calls this with None too)."""
        if hasattr(self, "one_row"):  # not while pyqtgraph's constructor lays the view out
            self._arrange(self.width() > ONE_ROW * self.height())
        super().resizeEvent(event)

    def select(self, layer: str, index: int) -> None:
        """Zoom in on channel (or unit) ``index`` of ``layer``."""
        self.selection = (layer, index)
        self.title.setText(f"{layer} #{index} (waiting for the next frame)")
        self.params_changed.emit(self.params())

    def set_text_px(self, px: int) -> None:
        """The titles at ``px`` pixels (the window's labels' size)."""
        self.title.set_px(px)
        self.kernel_title.set_px(px)

    def params(self) -> UnitParams | None:
        """Parameters of the unit extra: the selection, or None before anything was clicked."""
        return None if self.selection is None else UnitParams(*self.selection)

    def model_changed(self, info: ModelInfo) -> None:
        """A new model has other layers: forget the selection."""
        self.clear_selection()

    def clear_selection(self) -> None:
        """Forget the selection: nothing is zoomed until the next click."""
        self.selection = None
        self.title.setText("Click a feature map to zoom in")
        self.field.setVisible(False)

    @property
    def field_rect(self) -> QRectF | None:
        """The receptive-field outline on the input, in input pixels (None when hidden)."""
        return self.field.rect() if self.field.isVisible() else None

    def show_record(self, record: UnitRecord) -> None:
        """Draw the unit's activation, its incoming kernels and its receptive field on the input."""
        a = np.ascontiguousarray(record.activation, dtype=np.float32)
        lo, hi = float(a.min()), float(a.max())
        if hi <= lo:
            hi = lo + 1e-6
        self.activation.setImage(a, autoLevels=False)
        self.colour_bar.setLevels((lo, hi))
        self._fit(self.activation_view, "activation", a.shape)
        self.input_image.setImage(record.input_image, autoLevels=False, levels=(0, 255))
        self._fit(self.input_view, "input", record.input_image.shape[:2])
        if record.receptive_field is None:
            self.field.setVisible(False)
        else:
            x0, y0, x1, y1 = record.receptive_field
            self.field.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
            self.field.setVisible(True)
        if record.kernels is None:
            self.kernels.clear()
            self.kernel_lines.setPath(QPainterPath())
            self._shapes.pop("kernels", None)
            kernel_text = "no incoming weights (pooling or activation layer)"
        else:
            self.kernels.setImage(record.kernels, autoLevels=False, levels=(0, 255))
            if self._fit(self.kernel_view, "kernels", record.kernels.shape):
                rows, cols = record.kernel_grid
                tile = (record.kernels.shape[0] // rows, record.kernels.shape[1] // cols)
                self.kernel_lines.setPath(tile_grid_path(record.kernel_grid, tile))
            lo_k, hi_k = record.kernel_range
            kernel_text = f"weights into {record.kernel_source}[{record.index}]: {lo_k:.2g} to {hi_k:.2g}"
        h, w = a.shape
        text = f"{record.layer} #{record.index}: {w}x{h}, peak {record.value:.3g} at {record.peak}"
        if text != self._text:
            self.title.setText(text)
            self.kernel_title.setText(kernel_text)
            self._text = text
        self.selection = (record.layer, record.index)
        self.shown += 1

    def _fit(self, view: pg.ViewBox, key: str, shape: tuple[int, ...]) -> bool:
        """Range ``view`` on an image of ``shape`` if that changed; True when it did."""
        if self._shapes.get(key) == shape:
            return False
        self._shapes[key] = shape
        view.setRange(xRange=(0, shape[1]), yRange=(0, shape[0]), padding=0.02)
        return True
