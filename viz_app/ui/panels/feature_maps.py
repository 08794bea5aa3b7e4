"""Every captured layer at once, one image item per layer, built once and refreshed per frame."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from pyqtgraph.GraphicsScene.mouseEvents import MouseClickEvent
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QWidget

from viz_app.records.frames import LayerImage
from viz_app.ui.colours import lut

MAPS_PER_ROW = 4
# Titles carry each layer's value range; re-laying out text every frame costs more than the
# images, and nobody reads numbers changing at 60 Hz.
TITLE_INTERVAL_S = 0.25


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


class FeatureMapsPanel(pg.GraphicsLayoutWidget):
    """Mosaics of the convolutional layers in rows, then the dense layers as strips."""

    unit_clicked = Signal(str, int)  # layer name, channel or unit index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("#1e1e1e")
        self._cells: dict[str, MapCell] = {}
        self._layout_key: tuple = ()
        self._titled_at = 0.0
        self.shown = 0  # frames drawn, for tests and benchmarks

    @property
    def layer_names(self) -> list[str]:
        """The layers on screen, in drawing order."""
        return list(self._cells)

    def cell(self, name: str) -> MapCell | None:
        """The items that draw layer ``name`` (None when it is not shown)."""
        return self._cells.get(name)

    def cell_image(self, name: str) -> np.ndarray | None:
        """The coloured (H x W x 3) image a cell shows."""
        cell = self._cells.get(name)
        return None if cell is None else cell.image.image

    def show_layers(self, layers: tuple[LayerImage, ...]) -> None:
        """Draw this frame's layers, building the cells only when the layer set changed."""
        key = tuple((layer.name, layer.shape, layer.image.shape, layer.signed) for layer in layers)
        if key != self._layout_key:
            self._build(layers)
            self._layout_key = key
        now = time.monotonic()
        retitle = now - self._titled_at >= TITLE_INTERVAL_S
        for layer in layers:
            cell = self._cells[layer.name]
            # Colour in numpy (a 256-entry table lookup) and hand pyqtgraph RGB, which it
            # wraps in a QImage directly; an indexed image would rebuild its colour table
            # on every render.
            cell.image.setImage(lut(layer.signed)[layer.image], autoLevels=False, levels=None)
            if retitle:
                text = f"{layer.title}  [{layer.lo:.3g}, {layer.hi:.3g}]"
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
        self._layout_key = ()

    def _build(self, layers: tuple[LayerImage, ...]) -> None:
        self.clear_layers()
        rows = map_rows([layer for layer in layers if not layer.is_strip])
        columns = max([len(r) for r in rows] + [1])
        for i, row in enumerate(rows):
            for c, layer in enumerate(row):
                self._add_cell(layer, 2 * i, c, 1)
        row = 2 * len(rows)
        for layer in [strip for strip in layers if strip.is_strip]:
            self._add_cell(layer, row, 0, columns)
            row += 2

    def _add_cell(self, layer: LayerImage, row: int, col: int, colspan: int) -> None:
        title = self.addLabel(layer.title, row=row, col=col, colspan=colspan, size="9pt", color="#dddddd")
        # Static between frames: paint from a cached pixmap instead of laying text out again.
        title.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        view = self.addViewBox(row=row + 1, col=col, colspan=colspan, lockAspect=not layer.is_strip, invertY=True, enableMouse=False)
        view.setMenuEnabled(False)
        image = pg.ImageItem(axisOrder="row-major")
        image.setImage(lut(layer.signed)[layer.image], autoLevels=False, levels=None)
        view.addItem(image)
        lines = QGraphicsPathItem(_grid_path(layer))
        pen = QPen(Qt.GlobalColor.black)
        pen.setCosmetic(True)
        pen.setWidth(1)
        lines.setPen(pen)
        lines.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        view.addItem(lines)
        h, w = layer.image.shape
        if layer.is_strip:
            view.setRange(xRange=(0, w), yRange=(0, h), padding=0)
            view.setMaximumHeight(34)
        else:
            view.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)
        image.mouseClickEvent = lambda ev, clicked=layer: self._on_click(clicked, ev)
        self._cells[layer.name] = MapCell(title, view, image, lines, layer.shape, layer.image.shape, layer.signed)

    def _on_click(self, layer: LayerImage, event: MouseClickEvent) -> None:
        index = unit_at(layer, event.pos().x(), event.pos().y())
        if index is not None:
            self.unit_clicked.emit(layer.name, index)
            event.accept()


def map_rows(maps: list[LayerImage]) -> list[list[LayerImage]]:
    """Mosaics in rows of MAPS_PER_ROW; the branches of one block ("block/branch") share a row."""
    rows: list[list[LayerImage]] = []
    group = None
    for layer in maps:
        head = layer.title.split(" ")[0]
        key = head.split("/")[0] if "/" in head else None
        same_block = key is not None and key == group
        room_in_row = key is None and group is None and bool(rows) and len(rows[-1]) < MAPS_PER_ROW
        if rows and (same_block or room_in_row):
            rows[-1].append(layer)
        else:
            rows.append([layer])
        group = key
    return rows


def unit_at(layer: LayerImage, x: float, y: float) -> int | None:
    """The channel (or unit of a strip) under image coordinates (x, y)."""
    if layer.is_strip:
        i = int(x)
        return i if 0 <= i < layer.shape[0] else None
    tile_h, tile_w = layer.tile
    rows, cols = layer.grid
    r, c = int(y // tile_h), int(x // tile_w)
    index = r * cols + c
    if 0 <= r < rows and 0 <= c < cols and index < layer.shape[0]:
        return index
    return None


def _grid_path(layer: LayerImage) -> QPainterPath:
    """Lines between the tiles of a mosaic (none for a strip)."""
    path = QPainterPath()
    if layer.is_strip:
        return path
    rows, cols = layer.grid
    tile_h, tile_w = layer.tile
    for r in range(1, rows):
        path.moveTo(0, r * tile_h)
        path.lineTo(cols * tile_w, r * tile_h)
    for c in range(1, cols):
        path.moveTo(c * tile_w, 0)
        path.lineTo(c * tile_w, rows * tile_h)
    return path
