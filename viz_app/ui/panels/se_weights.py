"""Squeeze-and-excitation gates live: one bar chart per SE block, with the class means beside it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from viz_app.records.frames import ModelInfo
from viz_app.records.panels import NoParams, SERecord
from viz_app.ui.colours import lut

ROW_HEIGHT = 110  # pixels per SE block
_BAR = pg.mkBrush("#4a90d9")
_MEAN_PEN = pg.mkPen("#f5a623", width=1.5)


@dataclass
class GateChart:
    """The chart of one SE block, built once per layout and refreshed every frame."""

    plot: pg.PlotItem
    bars: pg.PlotCurveItem  # this frame's gate per channel
    class_mean: pg.PlotCurveItem  # the predicted class's mean gate over the test set
    means: pg.ImageItem | None  # classes x channels heat map

    def gates(self) -> np.ndarray:
        """The gate per channel the bars show now."""
        return np.asarray(self.bars.getData()[1])

    def class_mean_gates(self) -> np.ndarray:
        """The predicted class's mean gate per channel the orange line shows now."""
        return np.asarray(self.class_mean.getData()[1])


class SEWeightsPanel(QWidget):
    """Live gates (0..1 per channel) of every SE block; the MNIST class means where the card has them."""

    params_changed = Signal(object)  # never: the se extra has no parameters

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QLabel("Switch to a model with squeeze-and-excitation blocks (e.g. SE-ResNet)")
        self.message.setWordWrap(True)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#1e1e1e")
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # charts fit the width, never cut
        self.scroll.setWidget(self.graphics)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(self.scroll, 1)
        self._charts: list[GateChart] = []
        self._key: tuple = ()
        self.shown = 0  # frames drawn

    def params(self) -> NoParams:
        """Parameters of the se extra (it has none)."""
        return NoParams()

    def model_changed(self, info: ModelInfo) -> None:
        """Nothing to forget: the next record brings the new model's blocks."""

    @property
    def block_count(self) -> int:
        """SE blocks on screen."""
        return len(self._charts)

    @property
    def charts(self) -> tuple[GateChart, ...]:
        """One chart per SE block, top to bottom."""
        return tuple(self._charts)

    def show_record(self, record: SERecord) -> None:
        """Draw this frame's gates (and the class means, where the model card has them)."""
        if not record.has_blocks:
            self._build(record)
            self.message.setText(record.message or "This model has no squeeze-and-excitation blocks")
            self.message.setVisible(True)
            self.scroll.setVisible(False)
            self.shown += 1
            return
        key = tuple((b.name, len(b.weights), b.class_means is not None) for b in record.blocks)
        if key != self._key:
            self._build(record)
            self._key = key
        self.message.setVisible(False)
        self.scroll.setVisible(True)
        for chart, block in zip(self._charts, record.blocks):
            c = len(block.weights)
            chart.bars.setData(np.arange(c + 1) - 0.5, block.weights)
            if block.class_means is not None and 0 <= record.prediction < len(block.class_means):
                chart.class_mean.setData(np.arange(c + 1) - 0.5, block.class_means[record.prediction])
        self.shown += 1

    def _build(self, record: SERecord) -> None:
        """Lay out one chart per block of ``record``."""
        self.graphics.clear()
        self._charts = []
        self._key = ()
        with_means = any(b.class_means is not None for b in record.blocks)
        for i, block in enumerate(record.blocks):
            c = len(block.weights)
            plot = self.graphics.addPlot(row=i, col=0, title=f"{block.name} ({c} ch.)")
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            plot.setYRange(0, 1, padding=0.02)
            plot.setXRange(-0.5, c - 0.5, padding=0)
            plot.getAxis("left").setTicks([[(0, "0"), (0.5, "0.5"), (1, "1")]])
            bars = pg.PlotCurveItem(np.arange(c + 1) - 0.5, np.zeros(c), stepMode="center", fillLevel=0, brush=_BAR, pen=None)
            mean = pg.PlotCurveItem(np.arange(c + 1) - 0.5, np.zeros(c), stepMode="center", pen=_MEAN_PEN)
            mean.setVisible(block.class_means is not None)
            plot.addItem(bars)
            plot.addItem(mean)
            image = None
            if block.class_means is not None:
                view = self.graphics.addPlot(row=i, col=1, title="mean per class (MNIST test)")
                view.setMouseEnabled(False, False)
                view.hideButtons()
                view.setMenuEnabled(False)
                view.invertY(True)
                image = pg.ImageItem(axisOrder="row-major")
                image.setLookupTable(lut(False))
                image.setImage(np.ascontiguousarray(block.class_means, dtype=np.float32), autoLevels=False, levels=(0, 1))
                view.addItem(image)
                classes = len(block.class_means)
                view.getAxis("left").setTicks([[(k + 0.5, str(k)) for k in sorted({0, classes // 2, classes - 1})]])
            elif with_means:
                self.graphics.addLabel("", row=i, col=1)
            self._charts.append(GateChart(plot, bars, mean, image))
        self.graphics.setMinimumHeight(ROW_HEIGHT * max(1, len(record.blocks)))
