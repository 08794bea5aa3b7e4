"""Every captured layer at once, one image item per layer, built once and refreshed per frame."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QPen, QResizeEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QLabel, QWidget

from viz_app.records.frames import LayerImage
from viz_app.ui.panels.colouring import coloured
from viz_app.ui.panels.map_layout import as_column, best_columns, grid_path, map_rows, unit_at
from viz_app.ui.panels.map_title import MapTitle, label_units

__all__ = ["FeatureMapsPanel", "MapCell", "map_rows", "unit_at"]

# Titles carry each layer's value range; re-laying out text every frame costs more than the
# images, and nobody reads numbers changing at 60 Hz.
TITLE_INTERVAL_S = 0.25
STRIP_HEIGHT = 34  # pixels of a dense layer's strip in the rows layout
_EMPTY_GRAY = 48  # what an empty map is filled with (dimmed, no activations)
REDUCED = "(reduced)"  # ends the title of a map drawn at under 2 screen pixels per activation
MAX_CLASS_LABELS = 20  # an output layer with at most this many units has each named on its cell


@dataclass
class MapCell:
    """The items that draw one layer: title, view and image, plus what they were built for."""

    title: pg.LabelItem
    view: pg.ViewBox
    image: pg.ImageItem
    grid_lines: QGraphicsPathItem
    shape: tuple[int, ...]
    image_shape: tuple[int, int]
    signed: bool
    text: str = ""  # the title shown, with the layer's value range
    tile_width: int = 0  # one map's width in activations (0: a strip)
    zoom: float = 0.0  # screen pixels per activation as drawn


class FeatureMapsPanel(pg.GraphicsLayoutWidget):
    """Mosaics of the convolutional layers in rows that fill the space, then the dense layers as strips.

    ``set_layout_1995(True)`` puts every layer side by side in network order, as LeCun's demo did.
    """

    unit_clicked = Signal(str, int)  # layer name, channel or unit index
    _ready = False  # pyqtgraph resizes the view while it is still being constructed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("#1e1e1e")
        self._cells: dict[str, MapCell] = {}
        self._layers: tuple[LayerImage, ...] = ()
        self._layout_key: tuple = ()
        self._columns = 0
        self._titled_at = 0.0
        self._title_px = 12
        self._pixel_exact = False
        self._row_1995 = False
        self._empty = False
        self._classes: tuple[str, ...] = ()
        self.prompt = QLabel("Draw a digit", self)
        self.prompt.setObjectName("mapsPrompt")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.prompt.hide()
        self.shown = 0  # frames drawn, for tests and benchmarks
        self._ready = True

    @property
    def layer_names(self) -> list[str]:
        """The layers on screen, in drawing order."""
        return list(self._cells)

    @property
    def empty(self) -> bool:
        """True while the maps are dimmed behind the "draw a digit" prompt (nothing to classify)."""
        return self._empty

    @property
    def columns(self) -> int:
        """Mosaics per row in the current arrangement."""
        return self._columns

    def cell(self, name: str) -> MapCell | None:
        """The items that draw layer ``name`` (None when it is not shown)."""
        return self._cells.get(name)

    def cell_image(self, name: str) -> np.ndarray | None:
        """The coloured (H x W x 3) image a cell shows."""
        cell = self._cells.get(name)
        return None if cell is None or cell.image.image is None else cell.image.image[..., :3]

    def map_rect(self, name: str) -> QRect:
        """Where layer ``name``'s image is drawn, in global screen pixels."""
        image = self._cells[name].image
        return self.mapFromScene(image.mapRectToScene(image.boundingRect())).boundingRect().translated(self.mapToGlobal(QPoint(0, 0)))

    def title_font_px(self) -> int:
        """Pixel size of the layer titles."""
        return self._title_px

    def set_title_px(self, px: int) -> None:
        """Draw the layer titles at ``px`` pixels (text scaling, presentation)."""
        if px != self._title_px:
            self._title_px = px
            self._rebuild()

    def set_pixel_exact(self, on: bool) -> None:
        """Zoom every map by a whole number where it fits (each activation an exact block of pixels)."""
        self._pixel_exact = on
        self._fit_all()

    def set_layout_1995(self, on: bool) -> None:
        """Every layer side by side in network order (True) or mosaics in rows over dense strips."""
        if on != self._row_1995:
            self._row_1995 = on
            self._rebuild()

    def show_layers(self, layers: tuple[LayerImage, ...], empty: bool = False) -> None:
        """Draw this frame's layers (dimmed under a prompt when ``empty``), building cells only when the layer set changed."""
        key = tuple((layer.name, layer.shape, layer.image.shape, layer.signed) for layer in layers)
        self._layers = layers
        if key != self._layout_key:
            self._build(layers)
            self._layout_key = key
        if empty != self._empty:
            self._set_empty(empty)
        now = time.monotonic()
        retitle = now - self._titled_at >= TITLE_INTERVAL_S
        for layer in layers:
            cell = self._cells[layer.name]
            shown = as_column(layer) if self._row_1995 else layer
            if not empty:
                # Colour in numpy (a 256-entry table lookup) and hand pyqtgraph RGBA, which it
                # wraps in a QImage directly; an indexed image would rebuild its colour table
                # on every render.
                cell.image.setImage(coloured(shown.image, layer.signed), autoLevels=False, levels=None)
            if retitle:
                text = self._title_of(layer, empty)
                if text != cell.text:
                    cell.title.setText(text)
                    cell.text = text
        if retitle:
            self._titled_at = now
        self.shown += 1

    def clear_layers(self) -> None:
        """Remove every cell (another model's layers come next)."""
        self.clear()
        self._cells = {}
        self._layers = ()
        self._layout_key = ()

    # --- layout -----------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-arrange the mosaics when another number per row now draws them larger."""
        super().resizeEvent(event)
        if not self._ready:
            return
        self.prompt.setGeometry(self.rect())
        if self._layers and not self._row_1995 and self._best_columns() != self._columns:
            self._rebuild()

    def _rebuild(self) -> None:
        layers, empty = self._layers, self._empty
        if layers:
            self._build(layers)
            self._empty = False
            if empty:
                self._set_empty(True)

    def _best_columns(self) -> int:
        maps = [layer for layer in self._layers if not layer.is_strip]
        strips = len(self._layers) - len(maps)
        title_h = self._title_px * 1.6
        free_h = max(40.0, self.height() - strips * (STRIP_HEIGHT + title_h))
        return best_columns([m.image.shape for m in maps], self.width(), free_h, title_h)

    def _build(self, layers: tuple[LayerImage, ...]) -> None:
        self.clear()
        self._cells = {}
        self._layers = layers
        if self._row_1995:
            for col, layer in enumerate(layers):
                self._add_cell(layer, 0, col, 1)
            self._columns = len(layers)
            return
        self._columns = self._best_columns()
        rows = map_rows([layer for layer in layers if not layer.is_strip], self._columns)
        columns = max([len(r) for r in rows] + [1])
        for i, row in enumerate(rows):
            for c, layer in enumerate(row):
                self._add_cell(layer, 2 * i, c, 1)
        row_index = 2 * len(rows)
        for layer in [strip for strip in layers if strip.is_strip]:
            self._add_cell(layer, row_index, 0, columns)
            row_index += 2

    def _title_of(self, layer: LayerImage, empty: bool) -> str:
        """The layer's name (alone in the 1995 layout's narrow columns), with its value range; a map drawn
        at under 2 screen pixels per activation says it is reduced (its units blur into each other)."""
        cell = self._cells.get(layer.name)
        reduced = f" {REDUCED}" if cell is not None and cell.tile_width and 0 < cell.zoom < 2 else ""  # last: kept when cut
        if self._row_1995:
            return layer.title.split(" ")[0] + reduced
        return layer.title + reduced if empty else f"{layer.title}  [{layer.lo:.3g}, {layer.hi:.3g}]{reduced}"

    def _add_cell(self, layer: LayerImage, row: int, col: int, colspan: int) -> None:
        shown = as_column(layer) if self._row_1995 else layer
        title = MapTitle(self._title_of(layer, True), self._title_px)
        self.addItem(title, row=row, col=col, colspan=colspan)
        strip_row = layer.is_strip and not self._row_1995
        view = self.addViewBox(row=row + 1, col=col, colspan=colspan, lockAspect=not strip_row, invertY=True, enableMouse=False)
        view.setMenuEnabled(False)
        image = pg.ImageItem(axisOrder="row-major")
        image.setImage(coloured(shown.image, layer.signed), autoLevels=False, levels=None)
        view.addItem(image)
        lines = QGraphicsPathItem(grid_path(shown))
        pen = QPen(Qt.GlobalColor.black)
        pen.setCosmetic(True)
        pen.setWidth(1)
        lines.setPen(pen)
        lines.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        view.addItem(lines)
        if strip_row:
            view.setMaximumHeight(STRIP_HEIGHT)
        if layer.is_strip and layer is self._layers[-1] and 1 < len(self._classes) <= MAX_CLASS_LABELS and layer.shape[0] == len(self._classes):
            label_units(view, self._classes, self._title_px, upright=self._row_1995)
        image.mouseClickEvent = lambda ev, clicked=shown: self._on_click(clicked, ev)
        cell = MapCell(title, view, image, lines, layer.shape, layer.image.shape, layer.signed, tile_width=0 if layer.is_strip else shown.tile[1])
        self._cells[layer.name] = cell
        view.sigResized.connect(lambda _view: self._fit_all())
        self._fit_all()

    def set_classes(self, classes: tuple[str, ...]) -> None:
        """The shown model's class names: the output layer's units are labelled with them (up to MAX_CLASS_LABELS)."""
        if classes != self._classes:
            self._classes = classes
            self._rebuild()

    def _fit_all(self) -> None:
        """Fit every cell in network order; pixel-exact, a map is never drawn larger than the maps of
        the layers before it (C1 never smaller than S2, whatever the rounding gave each)."""
        largest: float | None = None  # the smallest map drawn so far, in screen pixels across
        for cell in self._cells.values():
            cap = int(largest // cell.tile_width) if largest is not None and cell.tile_width and self._pixel_exact else None
            self._fit_view(cell, cap)
            if cell.tile_width and cell.zoom >= 1:
                drawn = cell.zoom * cell.tile_width
                largest = drawn if largest is None else min(largest, drawn)
        for layer, cell in ((layer, self._cells[layer.name]) for layer in self._layers if layer.name in self._cells):
            text = self._title_of(layer, self._empty)
            if (REDUCED in text) != (REDUCED in cell.text):  # a map that now fits larger or smaller says so at once
                cell.title.setText(text)
                cell.text = text

    def _fit_view(self, cell: MapCell, cap: int | None = None) -> None:
        """Show the whole image; with pixel-exact zoom, at the largest whole-number scale that fits
        (and at most ``cap``)."""
        image = cell.image.image
        if image is None:
            return
        h, w = image.shape[:2]
        size = cell.view.size()
        zoom = min(size.width() / w, size.height() / h) if w and h else 0.0
        strip_row = len(cell.shape) == 1 and not self._row_1995  # stretched to the row's width, no whole-number zoom
        if self._pixel_exact and zoom >= 1 and not strip_row:
            zoom = math.floor(zoom) if cap is None else max(1, min(math.floor(zoom), cap))
            half_w, half_h = size.width() / zoom / 2, size.height() / zoom / 2
            cell.view.setRange(xRange=(w / 2 - half_w, w / 2 + half_w), yRange=(h / 2 - half_h, h / 2 + half_h), padding=0)
            cell.zoom = zoom
        else:
            cell.zoom = zoom
            cell.view.setRange(xRange=(0, w), yRange=(0, h), padding=0 if len(cell.shape) == 1 else 0.02)

    def _set_empty(self, empty: bool) -> None:
        """Dim every map behind the prompt (an empty input has nothing worth showing)."""
        self._empty = empty
        self.prompt.setVisible(empty)
        self.prompt.setGeometry(self.rect())
        for cell in self._cells.values():
            if empty and cell.image.image is not None:
                cell.image.setImage(np.full(cell.image.image.shape, _EMPTY_GRAY, np.uint8), autoLevels=False, levels=None)
            cell.image.setOpacity(0.35 if empty else 1.0)

    def _on_click(self, layer: LayerImage, event: MouseClickEvent) -> None:
        index = unit_at(layer, event.pos().x(), event.pos().y())
        if index is not None:
            self.unit_clicked.emit(layer.name, index)
            event.accept()

