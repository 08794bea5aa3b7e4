"""The drawing pad: mouse or pen strokes become ink, and every change is offered as a frame."""

from __future__ import annotations

import time

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, qRgb
from PySide6.QtWidgets import QSizePolicy, QWidget

from viz_app.records.frames import Frame
from viz_app.sources.strokes import StrokeCanvas

# Ink 0..255 -> white paper to dark ink.
_PAPER = [qRgb(255 - v, 255 - v, 255 - v) for v in range(256)]


class DrawingPad(QWidget):
    """A square pad showing dark ink on paper; the network gets the ink as white on black.

    Left button (or a pen) draws, the right button clears. ``frame_ready`` fires on every
    change while the stroke is still being drawn, not only on release.
    """

    frame_ready = Signal(object)  # Frame
    cleared = Signal()

    def __init__(self, canvas_size: int = 280, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = StrokeCanvas(canvas_size)
        self._seq = 0
        self._drawing = False
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit. Right click or Esc clears.")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    # --- geometry -------------------------------------------------------------------------
    def paper_rect(self) -> QRectF:
        """Where the square canvas sits in the widget."""
        side = min(self.width(), self.height())
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def to_canvas(self, pos: QPointF) -> tuple[float, float]:
        """A point of the widget in canvas pixels."""
        rect = self.paper_rect()
        scale = self.canvas.size / rect.width()
        return (pos.x() - rect.x()) * scale, (pos.y() - rect.y()) * scale

    # --- public surface (also used for scripted strokes) -------------------------------------
    @property
    def seq(self) -> int:
        """The number of the latest frame offered (0 before the first)."""
        return self._seq

    def current_frame(self) -> Frame:
        """What is on the pad now, as a frame (numbered as the latest one offered)."""
        return Frame(self.canvas.ink.copy(), time.perf_counter(), self._seq, "pad")

    def set_pen_width(self, width: float) -> None:
        """The pen's width in canvas pixels."""
        self.canvas.pen_width = width

    def clear(self) -> None:
        """Wipe the pad and offer the blank frame."""
        self.canvas.clear()
        self.update()
        self.cleared.emit()
        self._emit()

    def stroke_begin(self, x: float, y: float) -> None:
        """Start a stroke at canvas point (x, y)."""
        if self.canvas.is_blank:
            self.update()  # the "Draw a digit here" placeholder goes at the first stroke
        self.canvas.begin(x, y)
        self._changed(x, y, x, y)

    def stroke_to(self, x: float, y: float) -> None:
        """Extend the stroke to (x, y), offering a frame at once."""
        last = self.canvas.last_point or (x, y)
        self.canvas.extend(x, y)
        self._changed(*last, x, y)

    def stroke_end(self) -> None:
        """End the stroke."""
        self.canvas.end()

    # --- events ---------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self.clear()
        elif event.button() == Qt.MouseButton.LeftButton:
            self._drawing = True
            self.stroke_begin(*self.to_canvas(event.position()))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drawing and event.buttons() & Qt.MouseButton.LeftButton:
            self.stroke_to(*self.to_canvas(event.position()))
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._drawing:
            self._drawing = False
            self.stroke_end()
        event.accept()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setClipRegion(event.region())
        painter.fillRect(self.rect(), self.palette().window())
        rect = self.paper_rect()
        ink = self.canvas.ink
        # The ink array itself, shown through a fixed colour table: no copy, no inversion.
        image = QImage(ink.data, ink.shape[1], ink.shape[0], ink.strides[0], QImage.Format.Format_Indexed8)
        image.setColorTable(_PAPER)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(rect, image)
        painter.setPen(QPen(QColor(120, 120, 120), 1))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        if self.canvas.is_blank:
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Draw a digit here")
        painter.end()

    # --- internals ------------------------------------------------------------------------------
    def _changed(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """Repaint only around the new segment, then offer the frame."""
        rect = self.paper_rect()
        scale = rect.width() / self.canvas.size
        margin = self.canvas.pen_width / 2 + 2
        dirty = QRectF(min(x0, x1) - margin, min(y0, y1) - margin, abs(x1 - x0) + 2 * margin, abs(y1 - y0) + 2 * margin)
        self.update(QRectF(rect.x() + dirty.x() * scale, rect.y() + dirty.y() * scale, dirty.width() * scale, dirty.height() * scale).toAlignedRect())
        self._emit()

    def _emit(self) -> None:
        self._seq += 1
        self.frame_ready.emit(self.current_frame())
