"""The lecture's model-zoo chart, measured here: accuracy against throughput, dot area = parameter memory."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from viz_app.records.costs import ZooRow
from viz_app.ui.fit import wrapping_label

MIN_DOT, MAX_DOT = 8.0, 48.0  # pixels across
NOT_MEASURED = "Not measured yet"
NOT_MEASURED_NOTE = "Not measured yet: “Measure on this machine” times every trained MNIST model here (a minute or two)."


def dot_sizes(param_bytes: Sequence[int]) -> list[float]:
    """Diameters whose areas grow with parameter memory, the largest model at MAX_DOT."""
    largest = max(param_bytes, default=0)
    if largest <= 0:
        return [MIN_DOT] * len(param_bytes)
    return [max(MIN_DOT, MAX_DOT * math.sqrt(b / largest)) for b in param_bytes]


class ZooChartPanel(QWidget):
    """Scatter of the zoo's rows; the Measure button asks the window to time the zoo again."""

    measure_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ZooRow] = []
        self.plot = pg.PlotWidget(background="#1e1e1e")
        item = self.plot.getPlotItem()
        item.setLogMode(x=True, y=False)
        item.showGrid(x=True, y=True, alpha=0.25)
        item.setLabel("bottom", "images/s (log scale)")  # short: a side tab is narrow
        item.setLabel("left", "accuracy (%)")  # short: a side tab can be low
        item.getViewBox().setDefaultPadding(0.12)  # room for the labels above the largest dots
        self.scatter = pg.ScatterPlotItem(pxMode=True, pen=pg.mkPen("#ffffff", width=1), brush=pg.mkBrush(80, 160, 255, 170))
        item.addItem(self.scatter)
        self.labels: list[pg.TextItem] = []
        self._sizes: list[float] = []  # each label's dot diameter, in pixels
        self._font: QFont | None = None  # the text's font, once the window has said its size
        self.empty_text = pg.TextItem(NOT_MEASURED, color="#bbbbbb", anchor=(0.5, 0.5))
        self.empty_text.setParentItem(item.getViewBox())  # in the view's own pixels: centred however the axes run
        item.getViewBox().sigResized.connect(self._place_empty_text)
        item.getViewBox().sigRangeChanged.connect(lambda *_: self._declutter())
        item.getViewBox().sigResized.connect(lambda *_: self._declutter())
        self.note = wrapping_label(QLabel(NOT_MEASURED_NOTE))
        self.measure_button = QPushButton("Measure on this machine")
        self.measure_button.clicked.connect(self.measure_requested)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.measure_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)  # the whole width: beside the button it was a column of one word a line
        layout.addLayout(bottom)

    def set_text_px(self, px: int) -> None:
        """Axes, names and the empty chart's words at ``px`` pixels (the window's labels' size)."""
        font = QFont()
        font.setPixelSize(px)
        item = self.plot.getPlotItem()
        for side in ("left", "bottom"):
            axis = item.getAxis(side)
            axis.setStyle(tickFont=font)
            axis.label.setFont(font)
        for label in (*self.labels, self.empty_text):
            label.setFont(font)
        self._font = font
        self._declutter()

    def set_busy(self, busy: bool) -> None:
        """While the zoo is being timed, the button waits."""
        self.measure_button.setEnabled(not busy)
        self.measure_button.setText("Measuring…" if busy else "Measure on this machine")

    def set_rows(self, rows: Sequence[ZooRow]) -> None:
        """Plot trained models; untrained ones (no accuracy) are named beneath."""
        self.rows = list(rows)
        shown = [r for r in self.rows if r.accuracy is not None and r.throughput > 0]
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        # The item is in a log-x plot: it is given log10 of the throughput.
        xs = [math.log10(r.throughput) for r in shown]
        ys = [100 * r.accuracy for r in shown]  # type: ignore[operator]
        sizes = dot_sizes([r.param_bytes for r in shown])
        tips = [
            f"{r.title}\n{100 * r.accuracy:.2f}% · {r.throughput:,.0f} images/s · {r.latency_ms:.2f} ms/image\n"  # type: ignore[operator]
            f"{r.params:,} parameters ({r.param_bytes / 2**20:.2f} MiB)"
            for r in shown
        ]
        self.scatter.setData(x=xs, y=ys, size=sizes, data=tips, hoverable=True, tip=lambda x, y, data: data)
        for r, x, y in zip(shown, xs, ys, strict=True):
            label = pg.TextItem(r.name, color="#dddddd")
            if self._font is not None:
                label.setFont(self._font)
            label.setPos(x, y)
            self.plot.addItem(label)
            self.labels.append(label)
        self._sizes = sizes
        self.empty_text.setVisible(not shown)
        self._declutter()
        untrained = [r.name for r in self.rows if r.accuracy is None]
        device = self.rows[0].device if self.rows else ""
        parts = [f"Measured on {device}, batch {self.rows[0].batch}; dot area = parameter memory." if self.rows else NOT_MEASURED_NOTE]
        if untrained:
            parts.append("Untrained, not plotted: " + ", ".join(untrained) + ".")
        self.note.setText(" ".join(parts))

    def _place_empty_text(self) -> None:
        box = self.plot.getPlotItem().getViewBox()
        self.empty_text.setPos(box.width() / 2, box.height() / 2)

    def _declutter(self) -> None:
        """Each name just above its dot, or just below where that would cover a name already placed,
        or hidden where both would (the dot's tool tip still names it): names never overlap."""
        placed: list[QRectF] = []
        box = self.plot.getPlotItem().getViewBox()
        order = sorted(range(len(self.labels)), key=lambda i: -self._sizes[i])  # the largest models named first
        for i in order:
            label, size = self.labels[i], self._sizes[i]
            text = label.textItem.boundingRect()
            width, height = text.width() or 60.0, text.height() or 18.0
            dot = box.mapViewToScene(label.pos())  # where the dot is, in the scene's pixels
            label.setVisible(True)
            for anchor in ((0.5, 1.0 + size / 2 / height), (0.5, -size / 2 / height)):  # above the dot, then below it
                rect = QRectF(dot.x() - anchor[0] * width, dot.y() - anchor[1] * height, width, height)
                if not any(rect.intersects(other) for other in placed):
                    label.setAnchor(anchor)
                    placed.append(rect)
                    break
            else:
                label.setVisible(False)
