"""The Train tab's curves: accuracy (held-out and on the batches) and loss, against seconds of training."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QBoxLayout, QWidget

from viz_app.records.training import Step

SMOOTH = 20  # steps the batch accuracy and loss curves are averaged over
MAX_POINTS = 2000  # per curve: older points are thinned, so a long run never slows the window


class TrainCurves(QWidget):
    """Two plots, side by side (``stacked(False)``) or one above the other; their axes named where there is room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.accuracy_plot = _plot("accuracy (%)")
        self.accuracy_plot.setYRange(0, 100, padding=0.02)
        self.held_out_curve = self.accuracy_plot.plot([], [], pen=pg.mkPen("#f5a623", width=3), symbol="o", symbolSize=6,
                                                      symbolBrush="#f5a623")  # fmt: skip
        self.batch_curve = self.accuracy_plot.plot([], [], pen=pg.mkPen("#4aa3ff", width=1.5))
        self.loss_plot = _plot("loss")
        self.loss_plot.setLogMode(x=False, y=True)
        self.loss_curve = self.loss_plot.plot([], [], pen=pg.mkPen("#e0e0e0", width=1.5))
        self.accuracy_plot.setToolTip("Accuracy (%) against seconds of training. Orange: on 1,000 held-out test digits; blue: on the training batches")
        self.loss_plot.setToolTip("Loss on the training batches (log scale) against seconds of training")
        self.column = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.addWidget(self.accuracy_plot, 3)
        self.column.addWidget(self.loss_plot, 2)

    def stacked(self, on: bool) -> None:
        """One plot above the other (a wide panel's right column) or side by side (a page of their own)."""
        self.column.setDirection(QBoxLayout.Direction.TopToBottom if on else QBoxLayout.Direction.LeftToRight)

    def name_axes(self, on: bool) -> None:
        """Show the axes' names (a small plot's would cover its curves: the tool tips name them)."""
        for plot in (self.accuracy_plot, self.loss_plot):
            for side in ("left", "bottom"):
                plot.getPlotItem().getAxis(side).showLabel(on)

    def set_text_px(self, px: int) -> None:
        font = QFont()
        font.setPixelSize(px)
        for plot in (self.accuracy_plot, self.loss_plot):
            for side in ("left", "bottom"):
                axis = plot.getPlotItem().getAxis(side)
                axis.setStyle(tickFont=font)
                axis.label.setFont(font)

    def draw(self, steps: Sequence[Step], points: Sequence[tuple[float, float]]) -> None:
        """The batches' accuracy and loss (averaged over ``SMOOTH`` steps) and the held-out ``points``."""
        steps = list(steps[-MAX_POINTS * 4 :])
        stride = max(1, len(steps) // MAX_POINTS)
        xs = [s.seconds for s in steps][::stride]
        accuracy = running_mean([100 * s.train_accuracy for s in steps], SMOOTH)[::stride]
        loss = [max(v, 1e-6) for v in running_mean([s.loss for s in steps], SMOOTH)][::stride]
        self.batch_curve.setData(xs, accuracy)
        self.loss_curve.setData(xs, loss)
        self.held_out_curve.setData([s for s, _ in points], [100 * a for _, a in points])


def _plot(label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="#1e1e1e")
    item = plot.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.25)
    item.setLabel("bottom", "seconds of training")
    item.setLabel("left", label)
    item.setMenuEnabled(False)
    item.getViewBox().setMouseEnabled(x=False, y=False)
    plot.setMinimumSize(60, 80)
    return plot


def running_mean(values: list[float], n: int) -> list[float]:
    """Each value averaged with up to ``n - 1`` before it."""
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value
        if i >= n:
            total -= values[i - n]
        out.append(total / min(i + 1, n))
    return out
