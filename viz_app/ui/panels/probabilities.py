"""Class probabilities as bars, with the predicted class (or the string read) large."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from viz_app.records.frames import FrameResult

MAX_BARS = 10  # with more classes (ImageNet), the top ten are shown
_BAR = pg.mkBrush("#4a90d9")
_TOP = pg.mkBrush("#f5a623")


class ProbabilitiesPanel(QWidget):
    """The predicted class in large type, its confidence, and a bar per class (the top ten of many).

    A string reader's frame shows the string read instead, over each digit's best score anywhere along it
    (and the blank's worst: the chance that no position holds a digit).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prediction = QLabel("–")
        self.prediction.setMinimumWidth(1)  # a long ImageNet class may be cut, never widen the window
        self.prediction.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prediction.setObjectName("prediction")
        self.confidence = QLabel("Draw a digit")
        self.confidence.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.confidence.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setYRange(0, 1, padding=0)
        self.plot.setLabel("left", "probability")
        self.bars = pg.BarGraphItem(x=np.arange(MAX_BARS), height=np.zeros(MAX_BARS), width=0.8, brush=_BAR)
        self.plot.addItem(self.bars)
        self.set_text_px(13, 86)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prediction)
        layout.addWidget(self.confidence)
        layout.addWidget(self.plot, 1)
        self._classes: tuple[str, ...] = ()
        self._shown: np.ndarray = np.arange(0)
        self._string = False  # the last frame was a string read

    def set_text_px(self, label_px: int, answer_px: int) -> None:
        """Pixel sizes of the labels (and axis ticks) and of the predicted class."""
        self._answer_key: tuple[str, int, int] | None = None  # what the answer label shows, at which width and size
        self._answer_px = answer_px
        self._label_px = label_px
        self._show_answer(self.prediction.text())
        small = QFont()
        small.setPixelSize(label_px)
        self.confidence.setFont(small)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setStyle(tickFont=small)
            axis.label.setFont(small)

    def set_classes(self, classes: tuple[str, ...]) -> None:
        """The class names of a newly shown model."""
        self._classes = classes
        self._shown = np.arange(min(MAX_BARS, len(classes)))
        self._set_ticks(self._shown)

    def show_result(self, result: FrameResult) -> None:
        """Draw one frame: its class probabilities, and the string read when the model reads strings."""
        self.show_probabilities(result.probabilities, result.empty)
        string = result.text is not None
        if string != self._string:
            self._string = string
            self.plot.setLabel("left", "score on the string" if string else "probability")
        if result.text is not None:
            self.show_string(result.text, result.empty)

    def show_string(self, text: str, empty: bool) -> None:
        """The string read, in type as large as the panel's width allows, where the digit goes."""
        if empty:
            self._show_answer("–")
            self.confidence.setText("Write a string of digits")
        elif not text:
            self._show_answer("?")
            self.confidence.setText("No digit found along the string")
        else:
            self._show_answer(text)
            digits = len(text)
            self.confidence.setText(f"String read in one pass: {digits} digit{'s' if digits != 1 else ''}")

    def show_probabilities(self, probabilities: np.ndarray, empty: bool) -> None:
        """Draw one frame's probabilities; ``empty``: nothing drawn yet, show no verdict."""
        if len(probabilities) != len(self._classes):
            self.set_classes(tuple(str(i) for i in range(len(probabilities))))
        if len(self._classes) > MAX_BARS:
            top = np.argsort(probabilities)[::-1][:MAX_BARS]
            if not np.array_equal(top, self._shown):
                self._shown = top
                self._set_ticks(top)
        values = probabilities[self._shown]
        brushes = [_BAR] * len(values)
        if empty:
            self._show_answer("–")
            self.confidence.setText("Draw a digit")
            values = np.zeros_like(values)
        else:
            best = int(np.argmax(values))
            brushes[best] = _TOP
            label = self._classes[self._shown[best]]
            self._show_answer(label if len(label) <= 3 else label[:18])
            self.confidence.setText(f"{values[best]:.1%} confident")
        self.bars.setOpts(x=np.arange(len(values)), height=values, brushes=brushes)

    def _show_answer(self, text: str) -> None:
        """The predicted class, in type as large as its width allows (a long ImageNet name gets smaller type)."""
        key = (text, self.prediction.width(), self._answer_px)
        if key == self._answer_key:
            return  # as shown: no new font, no new layout
        self._answer_key = key
        font = QFont()
        font.setBold(True)
        font.setPixelSize(self._answer_px)
        width = QFontMetrics(font).horizontalAdvance(text)
        room = max(40, self.prediction.width() - 8)
        if width > room:
            font.setPixelSize(max(12, int(self._answer_px * room / width)))
        self.prediction.setFont(font)
        self.prediction.setText(text)

    def _set_ticks(self, indices: np.ndarray) -> None:
        per_bar = self.plot.width() / max(1, len(indices))
        room = max(1, int(per_bar / (0.75 * self._label_px)) - 1)  # characters per bar, with a gap between names
        ticks = [(i, self._classes[k][:room]) for i, k in enumerate(indices)]
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.setXRange(-0.6, len(indices) - 0.4, padding=0)
