"""A feature map's title (elided to its cell, never widening the column it heads) and the output units' names."""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsItem


class MapTitle(pg.LabelItem):
    """A layer title that never widens its column: text beyond the cell is cut, not overlapped."""

    def __init__(self, text: str, px: int) -> None:
        self._full = text
        self._metrics = QFontMetrics(_px_font(px))
        super().__init__(text, size=f"{px}px", color="#dddddd")
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape)
        # Static between frames: paint from a cached pixmap instead of laying text out again.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_px(self, px: int) -> None:
        """Draw the title at ``px`` pixels from now on."""
        if self.opts.get("size") != f"{px}px":
            self._metrics = QFontMetrics(_px_font(px))
            self.opts["size"] = f"{px}px"
            self.setText(self._full)

    @property
    def full_text(self) -> str:
        """The title before it was cut to the width."""
        return self._full

    def setText(self, text: str, **args: object) -> None:  # noqa: N802 - pyqtgraph's name
        """Show ``text``, its end cut with "…" where the cell is narrower (the name stays)."""
        self._full = text
        self._elided_for = int(self.width())
        width = self._elided_for - 6
        head, tail = (text.rsplit(" (", 1)[0], " (" + text.rsplit(" (", 1)[1]) if text.endswith(")") else (text, "")  # "(reduced)" stays
        room = width - self._metrics.horizontalAdvance(tail)
        shown = self._metrics.elidedText(head, Qt.TextElideMode.ElideRight, room) + tail if width > 20 and room > 10 else text
        super().setText(html.escape(shown), **args)

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        """Elide the title again for a new width (pyqtgraph's setText calls this too)."""
        super().resizeEvent(event)
        if int(self.width()) != getattr(self, "_elided_for", -1):
            self.setText(self._full)

    def updateMin(self) -> None:  # noqa: N802 - pyqtgraph's name
        """Keep the text's height as the minimum, but neither ask for its width nor prefer it: the
        maps' columns share the width by their images alone. Otherwise a title's value range
        ("[0, 2.41]" becoming "[0, 12.3]") would widen its column and shrink the next map a few
        times a second, and the same frame could be laid out two ways."""
        super().updateMin()
        height = self._sizeHint[Qt.SizeHint.PreferredSize][1]
        self._sizeHint[Qt.SizeHint.MinimumSize] = (0, height)
        self._sizeHint[Qt.SizeHint.PreferredSize] = (0, height)
        self.setMinimumWidth(0)
        self.updateGeometry()


def label_units(view: pg.ViewBox, names: tuple[str, ...], px: int, upright: bool) -> None:
    """Name each unit of an output strip on its own cell (a digit), in bold ``px``-pixel type; the
    strip lies (one row) or stands (``upright``, the 1995 layout's column)."""
    for index, name in enumerate(names):
        label = pg.TextItem(name[:3], color="#000000", anchor=(0.5, 0.5))
        font = _px_font(px)
        font.setBold(True)
        label.setFont(font)
        label.setPos(*((0.5, index + 0.5) if upright else (index + 0.5, 0.5)))
        view.addItem(label)


def _px_font(px: int) -> QFont:
    font = QFont()
    font.setPixelSize(px)
    return font
