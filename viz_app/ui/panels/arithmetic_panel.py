"""The Arithmetic tab: how the selected unit's number came to be for the input of now.

A click on a map chooses the channel (the unit where it fires most, or a row and column set
here); each frame brings its ``UnitArithmetic``. Each input channel of the unit's group is one row:
the patch under the kernel (padded zeros drawn as zeros), times the kernel slice, equals the
products, and their partial sum; the largest contributions come first, the rest summed in one
line unless "all channels" is ticked. Under them: the partial sums plus the bias, the layer's own
output, and the BatchNorm and activation that follow. A pooling unit shows its window, a linear
unit its largest products.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from viz_app.records.arithmetic import ChannelTerm, UnitArithmetic
from viz_app.records.frames import ModelInfo
from viz_app.records.panels import ArithmeticParams
from viz_app.ui.colours import lut
from viz_app.ui.fit import wrapping_label

FEW = 6  # rows shown before "all channels"
DETAILS_HEIGHT = 400  # pixels: a panel this high also names the layer's stride, padding and dilation
PROMPT = "Click a feature map: the arithmetic of its unit that fires most, for the input of now."


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


class ArithmeticPanel(QWidget):
    """The Arithmetic tab; ``select(layer, index)`` turns a map click into a request for the arithmetic extra."""

    params_changed = Signal(object)  # ArithmeticParams, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection: tuple[str, int] | None = None
        self.title = wrapping_label(QLabel(PROMPT))
        self.details = wrapping_label(QLabel(""))  # the layer, stride, padding, dilation, group: where there is room
        self.strongest = QCheckBox("where it fires most")
        self.strongest.setChecked(True)
        self.row = QSpinBox(prefix="row ", minimum=0, maximum=0)
        self.column = QSpinBox(prefix="column ", minimum=0, maximum=0)
        self.all_channels = QCheckBox("all channels")
        for box in (self.row, self.column):
            box.setVisible(False)  # until a position is chosen by hand
            box.setMinimumWidth(1)
            box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            box.valueChanged.connect(self._on_position_edited)
        self.strongest.toggled.connect(self._on_strongest_toggled)
        self.all_channels.toggled.connect(self._on_all_toggled)
        self.view = ArithmeticView()
        self.table = ConnectionTable()  # LeNet-5 1998's C3: the paper's table, the unit's map marked
        self.table.setToolTip("Which input maps each output map reads (LeCun et al. 1998, Table I); the unit's map is marked")
        self.total = wrapping_label(QLabel(""))
        self.total.setTextFormat(Qt.TextFormat.PlainText)
        where = QHBoxLayout()
        where.addWidget(self.strongest)
        where.addWidget(self.row, 1)
        where.addWidget(self.column, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addLayout(where)
        layout.addWidget(self.all_channels)
        layout.addWidget(self.table)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.total)
        self.shown = 0

    # --- the panel protocol -----------------------------------------------------------------------
    def params(self) -> ArithmeticParams | None:
        """The arithmetic extra's parameters: the selection and the position, or None before a click."""
        if self.selection is None:
            return None
        layer, index = self.selection
        if self.strongest.isChecked():
            return ArithmeticParams(layer, index)
        return ArithmeticParams(layer, index, self.row.value(), self.column.value())

    def select(self, layer: str, index: int) -> None:
        """Explain channel ``index`` of the map ``layer`` (where it fires most, until a position is set)."""
        self.selection = (layer, index)
        self.strongest.setChecked(True)
        self.title.setText(f"{layer} #{index}: waiting for the next frame…")
        self.params_changed.emit(self.params())

    def model_changed(self, info: ModelInfo) -> None:
        """Another model: forget the selection."""
        self.selection = None
        self.title.setText(PROMPT)
        self.details.setText("")
        self.total.setText("")
        self.table.show_table(None, -1)
        self.view.show_unit(None)

    def show_record(self, record: UnitArithmetic) -> None:
        """Draw this frame's arithmetic."""
        self.shown += 1
        self.view.show_unit(record)
        unit = record.unit
        where = f"unit {unit[0]}" + (f" at row {unit[1]}, column {unit[2]}" if len(unit) == 3 else "")
        shape = "x".join(map(str, record.output_shape))
        detail = ""
        if record.kind == "conv":
            groups = f", group {record.group} of {record.groups}" if record.groups > 1 else ""
            detail = f"; stride {_pair(record.stride)}, padding {record.padding[0]}, dilation {_pair(record.dilation)}{groups}"
        self.title.setText(f"{record.layer}, {where} of {shape}")
        self.details.setText(f"{record.operation}{detail}")
        self.title.setToolTip(f"{record.operation}{detail}")
        if len(unit) == 3:
            for box, top in ((self.row, record.output_shape[1] - 1), (self.column, record.output_shape[2] - 1)):
                box.blockSignals(True)
                box.setMaximum(top)
                box.setValue(unit[1] if box is self.row else unit[2])
                box.blockSignals(False)
        self.all_channels.setVisible(len(record.terms) > FEW)
        self.table.show_table(record.table, unit[0])
        self.total.setText(describe_total(record))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The layer's details and a connection table only where the rows keep room enough."""
        super().resizeEvent(event)
        height = event.size().height()
        if height >= DETAILS_HEIGHT or height < DETAILS_HEIGHT - 2 * self.details.sizeHint().height():  # no flicker at the edge
            self.details.setVisible(height >= DETAILS_HEIGHT)
            self.table.roomy = height >= DETAILS_HEIGHT  # C3's table where it fits whole (presented); the rows say the same
            self.table.setVisible(self.table.roomy and bool(self.table.table))

    def set_text_px(self, px: int) -> None:
        """The painted rows at ``px`` pixels (the window's labels' size)."""
        font = QFont(self.view.font())
        font.setPixelSize(px)
        self.view.setFont(font)
        self.table.setFont(font)
        self.view.setMinimumHeight(3 * px)

    # --- its own controls ---------------------------------------------------------------------------
    def _on_strongest_toggled(self, on: bool) -> None:
        self.row.setVisible(not on)
        self.column.setVisible(not on)
        if self.selection is not None:
            self.params_changed.emit(self.params())

    def _on_position_edited(self) -> None:
        if self.selection is not None and not self.strongest.isChecked():
            self.params_changed.emit(self.params())

    def _on_all_toggled(self, on: bool) -> None:
        self.view.all_rows = on
        self.view.update()


def describe_total(record: UnitArithmetic) -> str:
    """The sum in one or two lines: partial sums + bias = pre-activation, then what follows."""
    if record.kind.endswith("pool"):
        text = f"{record.kind[:3]} of the window {record.pre_activation:+.4g} (output {record.hooked:+.4g})"
    else:
        partial = record.pre_activation - record.bias
        text = f"Σ {partial:+.4g} + bias {record.bias:+.4g} = {record.pre_activation:+.4g} (output {record.hooked:+.4g})"
    for step in record.after:
        text += f" → {step.what} {step.value:+.4g}"
    return text


def _pair(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))
