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

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from viz_app.records.arithmetic import UnitArithmetic
from viz_app.records.frames import ModelInfo
from viz_app.records.panels import ArithmeticParams
from viz_app.ui.fit import wrapping_label
from viz_app.ui.panels.arithmetic_view import FEW, ArithmeticView, ConnectionTable

DETAILS_HEIGHT = 400  # pixels: a panel this high also names the layer's stride, padding and dilation
PROMPT = "Click a feature map: the arithmetic of its unit that fires most, for the input of now."


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
