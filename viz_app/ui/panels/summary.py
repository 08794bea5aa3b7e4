"""The lecture's cost table in the window: per layer its output, parameters and multiply-accumulates."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viz_app.records.costs import LayerCost, ModelSummary, human
from viz_app.ui.fit import wrapping_label

COLUMNS = ("Layer", "Type", "Output shape", "Parameters", "MACs", "% of MACs")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
HIDE_ORDER = (1, 2, 5)  # Type, Output shape, % of MACs: put away in this order where the table is narrow


class SummaryPanel(QWidget):
    """A read-only table of a ModelSummary, folded to a chosen depth, with the totals beneath.

    Where the panel is too narrow for every column (a side tab at 1024x768), the least telling
    columns are put away rather than cut (each row's tool tip keeps them): the layer, its
    parameters and its multiply-accumulates always show whole."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary: ModelSummary | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.depth = QSpinBox(minimum=0, maximum=12, value=2, specialValueText="all")
        self.depth.setToolTip("How deep into nested modules the table goes (all: every module)")
        self.depth.valueChanged.connect(self._on_depth_changed)
        self.totals = wrapping_label(QLabel(""))
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(QLabel("Depth"))
        top.addWidget(self.depth)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)

    def show_summary(self, summary: ModelSummary) -> None:
        """Fill the table with ``summary``."""
        self.summary = summary
        self._fill()

    def clear_summary(self) -> None:
        """Empty the table (another model is coming)."""
        self.summary = None
        self.table.setRowCount(0)
        self.totals.setText("")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        QTimer.singleShot(0, self._fit_columns)  # once the table inside has its new width too

    def _fit_columns(self) -> None:
        """Show every column that fits the width, putting away the least telling first."""
        table = self.table
        room = table.viewport().width()

        def needed() -> int:
            return sum(max(table.sizeHintForColumn(c), table.horizontalHeader().sectionSizeHint(c)) for c in range(len(COLUMNS)) if not table.isColumnHidden(c))

        for column in HIDE_ORDER:
            table.setColumnHidden(column, False)
        for column in HIDE_ORDER:
            if needed() <= room:
                break
            table.setColumnHidden(column, True)

    def _on_depth_changed(self, value: int) -> None:
        if self.summary is not None:
            self._fill()

    def _fill(self) -> None:
        assert self.summary is not None
        s = self.summary
        rows = s.at_depth(self.depth.value() or None)
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = _cells(row, s.total_macs)
            tip = " · ".join(f"{name}: {text.strip()}" for name, (text, _) in zip(COLUMNS, cells, strict=True) if text.strip())
            for c, (text, right) in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                if right:
                    item.setTextAlignment(RIGHT)
                self.table.setItem(r, c, item)
        self.table.setUpdatesEnabled(True)
        self._fit_columns()
        shape = "x".join(map(str, s.input_shape))
        self.totals.setText(
            f"{s.name} at {shape}: {s.total_params:,} parameters ({s.param_bytes / 2**20:.2f} MiB), "
            f"{human(s.total_macs)} multiply-accumulates per image"
        )


def _cells(row: LayerCost, total_macs: int) -> list[tuple[str, bool]]:
    share = f"{100 * row.macs / total_macs:.1f}" if total_macs and row.macs else ""
    shape = row.output_shape + (f" (x{row.calls})" if row.calls > 1 else "")
    return [
        ("  " * (row.depth - 1) + row.path, False),
        (row.type, False),
        (shape, False),
        (f"{row.params:,}", True),
        (human(row.macs) if row.macs else "", True),
        (share, True),
    ]
