"""Where the feature maps go: how many mosaics per row, which share a row, which unit is under a point."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtGui import QPainterPath

from viz_app.records.frames import LayerImage

COLUMN_MAPS = 32  # the 1995 layout stacks a layer's maps in one column up to this many


def best_columns(shapes: list[tuple[int, ...]], width: float, height: float, title_h: float) -> int:
    """How many mosaics per row draw them largest in a ``width`` x ``height`` area (each cell keeps its aspect)."""
    if not shapes:
        return 1
    best, best_area = 1, -1.0
    for columns in range(1, len(shapes) + 1):
        rows = -(-len(shapes) // columns)
        cell_w, cell_h = width / columns, height / rows - title_h
        if cell_h <= 0:
            continue
        area = sum(min(cell_w / s[1], cell_h / s[0]) ** 2 * s[0] * s[1] for s in shapes)
        if area > best_area:
            best, best_area = columns, area
    return best


def map_rows(maps: list[LayerImage], per_row: int = 4) -> list[list[LayerImage]]:
    """Mosaics in rows of ``per_row``; the branches of one block ("block/branch") share a row."""
    rows: list[list[LayerImage]] = []
    group = None
    for layer in maps:
        head = layer.title.split(" ")[0]
        key = head.split("/")[0] if "/" in head else None
        same_block = key is not None and key == group
        room_in_row = key is None and group is None and bool(rows) and len(rows[-1]) < per_row
        if rows and (same_block or room_in_row):
            rows[-1].append(layer)
        else:
            rows.append([layer])
        group = key
    return rows


def unit_at(layer: LayerImage, x: float, y: float) -> int | None:
    """The channel (or unit of a strip) under image coordinates (x, y)."""
    if layer.is_strip:
        i = int(y if layer.image.shape[1] == 1 and layer.shape[0] > 1 else x)  # an upright strip counts down
        return i if 0 <= i < layer.shape[0] else None
    tile_h, tile_w = layer.tile
    rows, cols = layer.grid
    r, c = int(y // tile_h), int(x // tile_w)
    index = r * cols + c
    if 0 <= r < rows and 0 <= c < cols and index < layer.shape[0]:
        return index
    return None


def as_column(layer: LayerImage) -> LayerImage:
    """``layer`` stood upright for the 1995 layout: a strip's units and (up to COLUMN_MAPS) a mosaic's maps one above the other."""
    image = layer.image
    if layer.is_strip:
        return replace(layer, image=np.ascontiguousarray(image.T))
    n = layer.shape[0]
    if n > COLUMN_MAPS or layer.grid[1] == 1:
        return layer
    (rows, cols), (th, tw) = layer.grid, layer.tile
    tiles = image[: rows * th, : cols * tw].reshape(rows, th, cols, tw).transpose(0, 2, 1, 3).reshape(rows * cols, th, tw)
    return replace(layer, image=np.ascontiguousarray(tiles[:n].reshape(n * th, tw)), grid=(n, 1))


def grid_path(layer: LayerImage) -> QPainterPath:
    """Lines between the tiles of a mosaic (none for a strip)."""
    return QPainterPath() if layer.is_strip else tile_grid_path(layer.grid, layer.tile)


def tile_grid_path(grid: tuple[int, int], tile: tuple[int, int]) -> QPainterPath:
    """Lines between the (rows, cols) tiles of (height, width) pixels of a mosaic."""
    path = QPainterPath()
    rows, cols = grid
    th, tw = tile
    for r in range(1, rows):
        path.moveTo(0, r * th)
        path.lineTo(cols * tw, r * th)
    for c in range(1, cols):
        path.moveTo(c * tw, 0)
        path.lineTo(c * tw, rows * th)
    return path
