"""The Arithmetic tab's painted parts: the rows of a unit's sum, and a partly connected layer's table."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from viz_app.records.arithmetic import ChannelTerm, UnitArithmetic
from viz_app.ui.colours import lut

FEW = 6  # rows shown before "all channels"


class ArithmeticView(QWidget):
    """The rows of the sum, painted: patch x kernel = products, partial sum; sized to the room it has."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit: UnitArithmetic | None = None
        self.all_rows = False
        self.rows_drawn = 0
        self.cell = 0  # screen pixels per patch cell, as last painted
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(60)

    def show_unit(self, unit: UnitArithmetic | None) -> None:
        self.unit = unit
        self.update()

    def ranked(self) -> list[ChannelTerm]:
        """The terms in the order shown: the largest contributions first."""
        if self.unit is None:
            return []
        return sorted(self.unit.terms, key=lambda t: -abs(t.partial_sum))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1e1e1e"))
        unit = self.unit
        if unit is None:
            return
        painter.setFont(self.font())
        metrics = QFontMetrics(self.font())
        line = metrics.height() + 4
        painter.setPen(QColor("#e0e0e0"))
        terms = self.ranked()
        wanted = len(terms) if self.all_rows else min(FEW, len(terms))
        if unit.kind == "linear" or not terms[0].patch.size > 1:
            self._paint_numbers(painter, terms, wanted, line, metrics)
            return
        kh, kw = terms[0].patch.shape
        label_w = metrics.horizontalAdvance("ch 9999 ")
        sum_w = metrics.horizontalAdvance(" = +0.00000")
        sign_w = metrics.horizontalAdvance(" × ")
        images = 1 if unit.kind.endswith("pool") else 3
        across = (self.width() - label_w - sum_w - 2 * sign_w - 8) / (images * kw)
        rows_fit = max(1, int((self.height() - line) // max(line, 2 * kh + 4)))
        rows = min(wanted, rows_fit)
        down = (self.height() - line) / max(1, rows) - 4
        cell = max(1, int(min(across, down / kh, 48)))
        self.cell = cell
        row_h = max(kh * cell, metrics.height()) + 4
        rows = min(wanted, max(1, int((self.height() - line) // row_h)))
        lo_hi = max(1e-12, max(float(np.nanmax(np.abs(np.where(np.isfinite(t.patch), t.patch, 0)))) for t in terms))
        k_hi = max((float(np.abs(t.kernel).max()) for t in terms if t.kernel.size), default=1.0) or 1.0
        p_hi = max((float(np.abs(t.products).max()) for t in terms if t.products.size), default=1.0) or 1.0
        y = 0
        for term in terms[:rows]:
            x = 0
            mid = y + row_h / 2
            painter.drawText(QRectF(x, y, label_w, row_h), Qt.AlignmentFlag.AlignVCenter, f"ch {term.channel}")
            x += label_w
            x = self._image(painter, term.patch, x, y, cell, lo_hi, signed=bool((term.patch < 0).any()))
            if images == 3:
                painter.drawText(QRectF(x, y, sign_w, row_h), Qt.AlignmentFlag.AlignCenter, "×")
                x = self._image(painter, term.kernel, x + sign_w, y, cell, k_hi, signed=True)
                painter.drawText(QRectF(x, y, sign_w, row_h), Qt.AlignmentFlag.AlignCenter, "=")
                x = self._image(painter, term.products, x + sign_w, y, cell, p_hi, signed=True)
            painter.drawText(QRectF(x, mid - line / 2, sum_w + sign_w, line), Qt.AlignmentFlag.AlignVCenter, f" Σ {term.partial_sum:+.4g}")
            y += row_h
        self.rows_drawn = rows
        rest = terms[rows:]
        if rest:
            painter.drawText(QRectF(0, y, self.width(), line), Qt.AlignmentFlag.AlignVCenter,
                             f"{len(rest)} more channels: Σ {sum(t.partial_sum for t in rest):+.4g}")  # fmt: skip

    def _paint_numbers(self, painter: QPainter, terms: list[ChannelTerm], wanted: int, line: int, metrics: QFontMetrics) -> None:
        """A linear unit (or a 1x1 kernel): input x weight = product, one line each."""
        rows = min(wanted, max(1, int(self.height() // line) - 1))
        y = 0
        for term in terms[:rows]:
            x_value, weight = float(term.patch.ravel()[0]), float(term.kernel.ravel()[0]) if term.kernel.size else float("nan")
            text = f"in {term.channel}: {x_value:+.3g} × {weight:+.3g} = {term.partial_sum:+.4g}"
            elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, self.width())
            painter.drawText(QRectF(0, y, self.width(), line), Qt.AlignmentFlag.AlignVCenter, elided)
            y += line
        self.rows_drawn, self.cell = rows, 0
        rest = terms[rows:]
        if rest:
            painter.drawText(QRectF(0, y, self.width(), line), Qt.AlignmentFlag.AlignVCenter,
                             f"{len(rest)} more inputs: Σ {sum(t.partial_sum for t in rest):+.4g}")  # fmt: skip

    @staticmethod
    def _image(painter: QPainter, values: np.ndarray, x: float, y: float, cell: int, hi: float, signed: bool) -> float:
        """``values`` as cells of ``cell`` pixels at (x, y), 0 in the middle of the diverging map when
        signed, at the bottom of the sequential one otherwise (padding's -inf: grey)."""
        finite = np.isfinite(values)
        scaled = np.where(finite, values, 0.0) / hi
        index = np.clip(np.round((scaled + 1) * 127.5 if signed else scaled * 255), 0, 255).astype(np.uint8)
        rgb = np.ascontiguousarray(lut(signed)[index])
        rgb[~finite] = 90
        h, w = values.shape
        image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        painter.drawImage(QRectF(x, y + 2, w * cell, h * cell), image)
        return x + w * cell


class ConnectionTable(QWidget):
    """A partly connected layer's table, as LeCun et al. 1998 print C3's (Table I): a row per input
    map, a column per output map, X where the output reads the input; the unit's column stands out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table: tuple[tuple[int, ...], ...] = ()
        self.column = -1
        self.roomy = False  # the panel has room for the whole table (its owner says)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setVisible(False)

    def show_table(self, table: tuple[tuple[int, ...], ...] | None, column: int) -> None:
        changed = (table or ()) != self.table
        self.table, self.column = table or (), column
        self.setVisible(self.roomy and bool(self.table))
        if changed:
            self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        """A line for the output maps' numbers and one per input map, in the font of now."""
        rows = 2 + max((max(r) for r in self.table if r), default=0) if self.table else 0
        return QSize(0, rows * (QFontMetrics(self.font()).height() + 2) + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()  # its height follows the text size (presented: 1/40 of the screen)
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.table:
            return
        painter = QPainter(self)
        painter.setFont(self.font())
        metrics = QFontMetrics(self.font())
        inputs = 1 + max(max(r) for r in self.table if r)
        row_h = metrics.height() + 2
        label_w = metrics.horizontalAdvance("99 ")
        col_w = max(4.0, (self.width() - label_w) / len(self.table))
        painter.fillRect(QRectF(label_w + self.column * col_w, 0, col_w, row_h * (inputs + 1)), QColor("#f5a623"))
        painter.setPen(QColor("#1e1e1e") if self.palette().window().color().lightness() > 128 else QColor("#e0e0e0"))
        for o in range(len(self.table)):
            text = str(o) if col_w >= metrics.horizontalAdvance("15") + 2 or o % 5 == 0 else ""
            painter.drawText(QRectF(label_w + o * col_w, 0, col_w, row_h), Qt.AlignmentFlag.AlignCenter, text)
        for i in range(inputs):
            y = (i + 1) * row_h
            painter.drawText(QRectF(0, y, label_w, row_h), Qt.AlignmentFlag.AlignVCenter, str(i))
            for o, reads in enumerate(self.table):
                if i in reads:
                    painter.drawText(QRectF(label_w + o * col_w, y, col_w, row_h), Qt.AlignmentFlag.AlignCenter, "X")
