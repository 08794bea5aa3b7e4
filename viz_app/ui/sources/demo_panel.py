"""The Demo tab: pick a scene of the 1995 demo and a digit, watch it play, and the curve of the
true class's probability along the scene's parameter grow as it plays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from viz_app.ui.sources.frame_view import digit_view

LIVE_PEN = pg.mkPen("#f2c14e", width=3)
REFERENCE_PEN = pg.mkPen("#7fb3ff", width=2, style=pg.QtCore.Qt.PenStyle.DashLine)
CURVE_TOP = 1.08  # the probability axis runs past 1: its "1.0" tick label is drawn whole
CURVE_X_PADDING = 0.12  # room at both ends for the first and last tick labels ("-10" was cut)


class DemoPanel(QWidget):
    """Scene, digit and speed controls; the step being played; the robustness curve."""

    scene_picked = Signal(str)  # a scene's name
    digit_picked = Signal(int)  # an MNIST test index, or -1 for the pad's drawing
    play_toggled = Signal(bool)  # True: playing
    rate_picked = Signal(float)  # steps per second
    keep_reference_clicked = Signal()

    def __init__(self, scenes: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        """``scenes``: (name, title) of every scene, in menu order."""
        super().__init__(parent)
        self.scene_box = QComboBox()
        for name, title in scenes:
            self.scene_box.addItem(title, name)
        self.scene_box.activated.connect(lambda i: self.scene_picked.emit(self.scene_box.itemData(i)))
        self.digit_box = QSpinBox(minimum=-1, maximum=9999, value=0)
        self.digit_box.setPrefix("Test image #")  # an index into the MNIST test set: "Digit 0" read as a zero, and #0 is a 7
        self.digit_box.setSpecialValueText("The pad's drawing")
        self.digit_box.setToolTip("An MNIST test image by its index (#0 is a 7), or -1 for what is drawn on the pad")
        self.digit_box.editingFinished.connect(lambda: self.digit_picked.emit(self.digit_box.value()))
        self.play_button = QPushButton("Pause", checkable=True)
        self.play_button.toggled.connect(self._on_play_toggled)
        self.rate_box = QSpinBox(minimum=1, maximum=60, value=30, suffix=" steps/s")
        self.rate_box.editingFinished.connect(lambda: self.rate_picked.emit(float(self.rate_box.value())))
        self.keep_button = QPushButton("Keep curve")
        self.keep_button.setToolTip("Hold this curve, switch the model, and compare the two")
        self.keep_button.clicked.connect(self.keep_reference_clicked)
        self._build_views()
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.set_text_px(13)
        self._lay_out()
        self._values: tuple[float, ...] = ()
        self._points: dict[int, float] = {}

    def _lay_out(self) -> None:
        """Controls on three short rows (the input column can be narrow), the views, the verdict."""
        grid = QGridLayout()
        grid.setContentsMargins(2, 2, 2, 2)
        grid.addWidget(self.scene_box, 0, 0, 1, 2)
        grid.addWidget(self.digit_box, 1, 0)
        grid.addWidget(self.rate_box, 1, 1)
        grid.addWidget(self.play_button, 2, 0)
        grid.addWidget(self.keep_button, 2, 1)
        for widget in (self.scene_box, self.digit_box, self.rate_box, self.play_button, self.keep_button):
            widget.setMinimumWidth(0)
            widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(grid)
        layout.addWidget(self._views, 1)
        layout.addWidget(self.verdict)

    def _build_views(self) -> None:
        self.view, self.image = digit_view()
        self.curve_plot = pg.PlotWidget(background="#1e1e1e")
        self.curve_plot.setMenuEnabled(False)
        self.curve_plot.setMouseEnabled(x=False, y=False)
        self.curve_plot.setYRange(0, CURVE_TOP, padding=0)
        self.curve_plot.setLabel("left", "P(true class)")
        self.curve_plot.addLegend(offset=(-10, 10))
        self.live = self.curve_plot.plot([], [], pen=LIVE_PEN, symbol="o", symbolSize=6, symbolBrush="#f2c14e", name="now")
        self.reference = self.curve_plot.plot([], [], pen=REFERENCE_PEN)  # in the legend once a curve is kept
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#ffffff", width=1))
        self.curve_plot.addItem(self.marker)
        self._views = QWidget()
        layout = QVBoxLayout(self._views)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 3)
        layout.addWidget(self.curve_plot, 2)

    def set_text_px(self, px: int) -> None:
        """The curve's axes at ``px`` pixels, the verdict larger (the window's labels' size)."""
        font = QFont()
        font.setPixelSize(px)
        for side in ("left", "bottom"):
            axis = self.curve_plot.getAxis(side)
            axis.setStyle(tickFont=font)
            axis.label.setFont(font)
        legend = self.curve_plot.plotItem.legend
        legend.setLabelTextSize(f"{px}px")  # the names added later too
        for _, label in legend.items:
            label.setText(label.text)  # drawn again at that size
        verdict = QFont()
        verdict.setPixelSize(round(px * 1.3))
        self.verdict.setFont(verdict)

    # --- what the tab shows ---------------------------------------------------------------
    def set_scene(self, name: str, parameter: str, values: Sequence[float]) -> None:
        """A new scene: its axis, and an empty live curve."""
        self.scene_box.setCurrentIndex(max(0, self.scene_box.findData(name)))
        self._values = tuple(values)
        self._points = {}
        self.live.setData([], [])
        self.curve_plot.setLabel("bottom", parameter)
        self.curve_plot.setXRange(min(values), max(values), padding=CURVE_X_PADDING)

    def show_step(self, image: np.ndarray, value: float) -> None:
        """The frame being played and where it is on the scene's axis."""
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        self.marker.setValue(value)

    def add_point(self, index: int, probability: float, answer: str, correct: bool | None, step: str = "") -> None:
        """The model's answer at step ``index``: the curve's point there, and the verdict."""
        self._points[index] = probability
        xs = sorted(self._points)
        self.live.setData([self._values[i] for i in xs], [self._points[i] for i in xs])
        mark = "" if correct is None else (" ✓" if correct else " ✗")
        colour = "#6fcf6f" if correct or correct is None else "#ff6b6b"
        self.verdict.setText(f"at {step or format(self._values[index], 'g')}: <span style='color:{colour}'>{answer}{mark}</span> ({probability:.0%})")

    def keep_reference(self, label: str) -> None:
        """Hold the live curve as the dashed reference, labelled ``label`` (the model's name)."""
        xs, ys = self.live.getData()
        self.reference.setData(xs if xs is not None else [], ys if ys is not None else [])
        legend = self.curve_plot.plotItem.legend
        legend.removeItem(self.reference)
        legend.addItem(self.reference, label)

    def name_curve(self, label: str) -> None:
        """Call the live curve ``label`` in the legend (the model that draws it)."""
        legend = self.curve_plot.plotItem.legend
        legend.removeItem(self.live)
        legend.addItem(self.live, label)

    @property
    def curve(self) -> dict[float, float]:
        """The live curve: parameter value -> probability of the true class."""
        return {self._values[i]: p for i, p in self._points.items()}

    def _on_play_toggled(self, paused: bool) -> None:
        self.play_button.setText("Play" if paused else "Pause")
        self.play_toggled.emit(not paused)
