"""The drawing pad: mouse or pen strokes become ink, and every change is offered as a frame."""

from __future__ import annotations

import time

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, qRgb
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from viz_app.records.frames import Frame, Layout
from viz_app.sources.strip_canvas import StripCanvas
from viz_app.sources.strokes import StrokeCanvas

# Ink 0..255 -> white paper to dark ink.
_PAPER = [qRgb(255 - v, 255 - v, 255 - v) for v in range(256)]
_PROMPTS = {False: "Draw a digit here", True: "Write a string of digits here (a postcode, an amount)"}
_RUNS_OFF = QColor(214, 69, 65)


class DrawingPad(QWidget):
    """A pad showing dark ink on paper; the network gets the ink as white on black.

    Left button (or a pen) draws, the right button clears. ``frame_ready`` fires on every
    change while the stroke is still being drawn, not only on release. "One digit" draws on a
    square; "A string" on a strip five squares wide, whose frames are marked as a string.
    """

    frame_ready = Signal(object)  # Frame
    cleared = Signal()
    string_mode_changed = Signal(bool)  # True: the wide canvas for a string of digits is shown

    def __init__(self, canvas_size: int = 280, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._canvases: dict[bool, StrokeCanvas] = {False: StrokeCanvas(canvas_size), True: StripCanvas(canvas_size)}
        self.canvas = self._canvases[False]  # the one shown and drawn on
        self._seq = 0
        self._drawing = False
        self._runs_off = False  # the string canvas's ink touches an edge (as last painted)
        self._build_mode_bar()
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit. Right click or Esc clears.")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def _build_mode_bar(self) -> None:
        """"One digit" / "A string" above the paper."""
        self.mode_bar = QWidget(self)
        row = QHBoxLayout(self.mode_bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.mode_buttons = QButtonGroup(self)
        for string, text, tip in ((False, "One digit", "Draw one digit on a square pad"),
                                  (True, "A string", "Write several digits on a wide pad, read in one pass by a string reader (SDNN)")):  # fmt: skip
            button = QToolButton(text=text, checkable=True, checked=not string, toolTip=tip)
            self.mode_buttons.addButton(button, int(string))
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.mode_bar)
        layout.addStretch(1)
        self.mode_buttons.idToggled.connect(lambda index, on: on and self.set_string_mode(bool(index)))

    # --- geometry -------------------------------------------------------------------------
    def paper_rect(self) -> QRectF:
        """Where the canvas sits in the widget: below the mode buttons, as large as its shape allows."""
        top = self.mode_bar.geometry().bottom() + 4
        room_w, room_h = self.width(), max(1, self.height() - top)
        aspect = self.canvas.ink.shape[1] / self.canvas.ink.shape[0]
        w = min(room_w, room_h * aspect)
        h = w / aspect
        return QRectF((room_w - w) / 2, top + (room_h - h) / 2, w, h)

    def to_canvas(self, pos: QPointF) -> tuple[float, float]:
        """A point of the widget in canvas pixels."""
        rect = self.paper_rect()
        scale = self.canvas.size / rect.height()
        return (pos.x() - rect.x()) * scale, (pos.y() - rect.y()) * scale

    # --- string mode ------------------------------------------------------------------------
    @property
    def string_mode(self) -> bool:
        """True while the wide canvas for a string of digits is shown."""
        return self.canvas is self._canvases[True]

    def set_string_mode(self, on: bool) -> None:
        """Show the wide string canvas (True) or the square digit one, and offer what is on it."""
        if on == self.string_mode:
            return
        self._drawing = False
        self.canvas.end()
        self.canvas = self._canvases[on]
        self._runs_off = isinstance(self.canvas, StripCanvas) and self.canvas.runs_off()
        button = self.mode_buttons.button(int(on))
        if not button.isChecked():
            button.setChecked(True)  # its toggle comes back here and returns at once
        self.setToolTip("Write a string of digits. Right click or Esc clears." if on else "Draw a digit. Right click or Esc clears.")
        self.update()
        self.string_mode_changed.emit(on)
        self._emit()

    # --- public surface (also used for scripted strokes) -------------------------------------
    @property
    def seq(self) -> int:
        """The number of the latest frame offered (0 before the first)."""
        return self._seq

    def current_frame(self) -> Frame:
        """What is on the pad now, as a frame (numbered as the latest one offered)."""
        layout = Layout.STRING if self.string_mode else Layout.DIGIT
        return Frame(self.canvas.ink.copy(), time.perf_counter(), self._seq, "pad", layout=layout)

    def set_pen_width(self, width: float) -> None:
        """The pen's width in canvas pixels (on both canvases)."""
        for canvas in self._canvases.values():
            canvas.pen_width = width

    def clear(self) -> None:
        """Wipe the pad and offer the blank frame."""
        self.canvas.clear()
        self._runs_off = False
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
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, _PROMPTS[self.string_mode])
        elif isinstance(self.canvas, StripCanvas) and self.canvas.runs_off():
            self._paint_runs_off(painter, rect)
        painter.end()

    def _paint_runs_off(self, painter: QPainter, rect: QRectF) -> None:
        """Ink at the strip's edge: red edges and a line saying the string may go on beyond."""
        painter.setPen(QPen(_RUNS_OFF, 3))
        painter.drawLine(rect.topLeft(), rect.bottomLeft())
        painter.drawLine(rect.topRight(), rect.bottomRight())
        painter.drawText(rect.adjusted(6, 2, -6, -2), Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter,
                         "The string runs off the pad: write smaller, or clear")

    # --- internals ------------------------------------------------------------------------------
    def _changed(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """Repaint only around the new segment (all of it when the string starts running off), then offer the frame."""
        rect = self.paper_rect()
        scale = rect.height() / self.canvas.size
        margin = self.canvas.pen_width / 2 + 2
        dirty = QRectF(min(x0, x1) - margin, min(y0, y1) - margin, abs(x1 - x0) + 2 * margin, abs(y1 - y0) + 2 * margin)
        self.update(QRectF(rect.x() + dirty.x() * scale, rect.y() + dirty.y() * scale, dirty.width() * scale, dirty.height() * scale).toAlignedRect())
        runs_off = isinstance(self.canvas, StripCanvas) and self.canvas.runs_off()
        if runs_off != self._runs_off:
            self._runs_off = runs_off
            self.update()
        self._emit()

    def _emit(self) -> None:
        self._seq += 1
        self.frame_ready.emit(self.current_frame())
