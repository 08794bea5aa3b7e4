"""Class probabilities as bars, with the predicted class (or the string read) large."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from viz_app.records.frames import FrameResult, ModelInfo

MAX_BARS = 10  # a model with up to this many classes has a bar per class
TOP_BARS = 5  # a model with more (ImageNet's 1,000) has its top five, as bars named in full
STRING_ANSWER_SHARE = 0.6  # presented, a string read takes up to this share of the screen width (four digits a fifth high)
UNTRAINED_NOTE = "UNTRAINED WEIGHTS: random answer"
_BAR = pg.mkBrush("#4a90d9")
_TOP = pg.mkBrush("#f5a623")
_UNTRAINED = pg.mkBrush("#777777")
PROBABILITY_TOP = 1.06  # the axis runs a little past 1: the "1.0" tick label is drawn whole, not cut at the edge
PROMPTS = {False: "Draw a digit", True: "Write a string of digits"}


class ProbabilitiesPanel(QWidget):
    """The predicted class in large type, its confidence, and a bar per class (the top five of many,
    lying, each named in full).

    A string reader's frame shows the string read instead, over each digit's best score anywhere along it
    (and the blank's worst: the chance that no position holds a digit). A model with untrained
    weights has its answer greyed under a note that says it is random, in every view.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._classes: tuple[str, ...] = ()
        self._shown: np.ndarray = np.arange(0)
        self._string = False  # the last frame was a string read
        self._answer_floor = 0  # presented: the least width, a digit's at the presented size (set_answer_floor)
        self._string_mode = False  # the input is a string of digits (what the empty view asks for)
        self._trained = True
        self._lying = False  # bars lie (the top five of many classes, named on the bars' axis)
        self.untrained = QLabel(UNTRAINED_NOTE, objectName="untrained", alignment=Qt.AlignmentFlag.AlignCenter, visible=False)
        self.untrained.setWordWrap(True)
        self.untrained.setStyleSheet("color: #1e1e1e; background: #f5a623; font-weight: bold; padding: 2px;")
        self.weights_note = QLabel("", objectName="weights_note", alignment=Qt.AlignmentFlag.AlignCenter, visible=False)
        self.weights_note.setWordWrap(True)
        self.weights_note.setStyleSheet("color: #1e1e1e; background: #7fc3ff; font-weight: bold; padding: 2px;")
        self.prediction = QLabel("–")
        self.prediction.setMinimumWidth(1)  # a long ImageNet class may be cut, never widen the window
        self.prediction.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prediction.setObjectName("prediction")
        self.confidence = QLabel(PROMPTS[False])
        self.confidence.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.confidence.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setYRange(0, PROBABILITY_TOP, padding=0)
        self.plot.setLabel("left", "probability")
        self.bars = pg.BarGraphItem(x=np.arange(MAX_BARS), height=np.zeros(MAX_BARS), width=0.8, brush=_BAR)
        self.plot.addItem(self.bars)
        self.set_text_px(13, 86)
        layout = QVBoxLayout(self)
        layout.addWidget(self.untrained)
        layout.addWidget(self.weights_note)
        layout.addWidget(self.prediction)
        layout.addWidget(self.confidence)
        layout.addWidget(self.plot, 1)

    def set_text_px(self, label_px: int, answer_px: int) -> None:
        """Pixel sizes of the labels (and axis ticks) and of the predicted class."""
        self._answer_key: tuple[str, int, int] | None = None  # what the answer label shows, at which width and size
        self._answer_px = answer_px
        self._label_px = label_px
        self._show_answer(self.prediction.text())
        small = QFont()
        small.setPixelSize(label_px)
        self.confidence.setFont(small)
        self.untrained.setFont(small)
        self.weights_note.setFont(small)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setStyle(tickFont=small)
            axis.label.setFont(small)
        self._set_ticks(self._shown)

    def set_classes(self, classes: tuple[str, ...]) -> None:
        """The class names of a newly shown model."""
        self._classes = classes
        self._lying = len(classes) > MAX_BARS
        self._shown = np.arange(min(TOP_BARS if self._lying else MAX_BARS, len(classes)))
        self._label_axes()
        self.plot.getViewBox().invertY(self._lying)
        if self._lying:
            self.plot.setXRange(0, PROBABILITY_TOP, padding=0)
        else:
            self.plot.setYRange(0, PROBABILITY_TOP, padding=0)
        self._set_ticks(self._shown)

    def set_model(self, info: ModelInfo) -> None:
        """A newly shown model: its classes, and whether its weights were trained."""
        self.set_classes(info.classes)
        self._trained = info.trained
        self.untrained.setVisible(not info.trained)
        self.prediction.setStyleSheet("" if info.trained else "color: #777777;")

    def set_weights_note(self, text: str) -> None:
        """Which weights the answer comes from, where the status bar is not enough (weights being
        trained live: their step and held-out accuracy, in every view); "" hides it."""
        self.weights_note.setText(text)
        self.weights_note.setVisible(bool(text))

    def set_string_mode(self, on: bool) -> None:
        """The input is a string of digits (True) or one digit: what the empty view asks for."""
        self._string_mode = on
        if self.prediction.text() == "–":
            self.confidence.setText(PROMPTS[on])

    def show_result(self, result: FrameResult) -> None:
        """Draw one frame: its class probabilities, and the string read when the model reads strings."""
        self.show_probabilities(result.probabilities, result.empty)
        string = result.text is not None
        if string != self._string:
            self._string = string
            self._label_axes()
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
        if self._lying:
            top = np.argsort(probabilities)[::-1][:TOP_BARS]
            if not np.array_equal(top, self._shown):
                self._shown = top
                self._set_ticks(top)
        values = probabilities[self._shown]
        brushes = [_BAR if self._trained else _UNTRAINED] * len(values)
        if empty:
            self._show_answer("–")
            self.confidence.setText(PROMPTS[self._string_mode])
            values = np.zeros_like(values)
        else:
            best = int(np.argmax(values))
            brushes[best] = _TOP if self._trained else _UNTRAINED
            label = self._classes[self._shown[best]]
            self._show_answer(label if len(label) <= 3 else label[:18])
            confident = f"{values[best]:.1%} confident"
            self.confidence.setText(confident if self._trained else f"{confident}, but the weights are untrained")
        where = np.arange(len(values))
        if self._lying:  # bars lie: y is the rank, the bar's length its probability
            self.bars.setOpts(x=None, x0=0, width=values, y=where, height=0.7, brushes=brushes)
        else:
            self.bars.setOpts(x=where, x0=None, width=0.8, y=None, height=values, brushes=brushes)

    def _label_axes(self) -> None:
        """Name the axis the bars' lengths lie along (a string reader's bars are its digits' best
        scores along the string); the other axis has the class names only."""
        value = "score on the string" if self._string else "probability"
        self.plot.setLabel("left", "" if self._lying else value)
        self.plot.setLabel("bottom", value if self._lying else "")

    def set_answer_floor(self, width: int) -> None:
        """At least ``width`` pixels wide (presented: the answer's digit never shrinks to fit), 0 for none."""
        self._answer_floor = width
        self.setMinimumWidth(width)
        self._answer_key = None
        self._show_answer(self.prediction.text())  # a string shown stays as wide as its digits need

    def _show_answer(self, text: str) -> None:
        """The predicted class, in type as large as its width allows (a long ImageNet name gets smaller type).
        Presented, a string read widens the panel to its digits' size, up to STRING_ANSWER_SHARE of the screen."""
        font = QFont()
        font.setBold(True)
        font.setPixelSize(self._answer_px)
        width = QFontMetrics(font).horizontalAdvance(text)
        if self._answer_floor:
            wanted = self._answer_floor
            if self._string:
                room = int(self.screen().geometry().width() * STRING_ANSWER_SHARE)
                wanted += min(width - QFontMetrics(font).horizontalAdvance("8"), room - wanted)
            if wanted != self.minimumWidth():
                self.setMinimumWidth(max(self._answer_floor, wanted))
        self._fit_answer(text)

    def _fit_answer(self, text: str) -> None:
        """``text`` at the answer's size, smaller where the label's width has no room for it."""
        font = QFont()
        font.setBold(True)
        font.setPixelSize(self._answer_px)
        width = QFontMetrics(font).horizontalAdvance(text)
        key = (text, self.prediction.width(), self._answer_px)
        if key == self._answer_key:
            return  # as shown: no new font, no new layout
        self._answer_key = key
        room = max(40, self.prediction.width() - 8)
        if width > room:
            font.setPixelSize(max(12, int(self._answer_px * room / width)))
        self.prediction.setFont(font)
        self.prediction.setText(text)

    def _set_ticks(self, indices: np.ndarray) -> None:
        """Name the bars shown: under each standing bar, or beside each lying one."""
        if not len(self._classes):
            return
        if self._lying:
            room = max(4, int(0.45 * self.plot.width() / (0.55 * self._label_px)))  # the names take at most 45% of the width
            ticks = [(i, _short(self._classes[k], room)) for i, k in enumerate(indices)]
            self.plot.getAxis("left").setTicks([ticks])
            self.plot.getAxis("left").setWidth(min(int(0.45 * self.plot.width()), max(len(t) for _, t in ticks) * int(0.6 * self._label_px) + 8))
            self.plot.getAxis("bottom").setTicks(None)
            self.plot.setYRange(-0.6, len(indices) - 0.4, padding=0)
        else:
            per_bar = self.plot.width() / max(1, len(indices))
            room = max(1, int(per_bar / (0.75 * self._label_px)) - 1)  # characters per bar, with a gap between names
            ticks = [(i, self._classes[k][:room]) for i, k in enumerate(indices)]
            self.plot.getAxis("bottom").setTicks([ticks])
            self.plot.getAxis("left").setTicks(None)
            self.plot.getAxis("left").setWidth(None)
            self.plot.setXRange(-0.6, len(indices) - 0.4, padding=0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The names are cut to the width there is; the answer takes the room it has now."""
        super().resizeEvent(event)
        self._set_ticks(self._shown)
        self._fit_answer(self.prediction.text())


def _short(name: str, room: int) -> str:
    """``name``'s first synonym ("tabby, tabby cat" -> "tabby"), cut to ``room`` characters with an ellipsis."""
    name = name.split(",")[0].strip()
    return name if len(name) <= room else name[: max(1, room - 1)] + "…"
