"""The MNIST tab: one test digit, its true label and the model's answer."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QSpinBox, QWidget

from viz_app.ui.sources.frame_view import digit_view, lay_out_source_tab


class MnistPanel(QWidget):
    """Step through the test set or jump to the model's next mistake."""

    index_requested = Signal(int)
    step_requested = Signal(int)
    next_mistake_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view, self.image = digit_view()
        self.index_box = QSpinBox(minimum=0, maximum=0)
        self.index_box.setPrefix("Test digit ")
        self.index_box.editingFinished.connect(lambda: self.index_requested.emit(self.index_box.value()))
        self.previous_button = QPushButton("◀")
        self.previous_button.clicked.connect(lambda: self.step_requested.emit(-1))
        self.next_button = QPushButton("▶")
        self.next_button.clicked.connect(lambda: self.step_requested.emit(1))
        self.mistake_button = QPushButton("Next mistake")
        self.mistake_button.setToolTip("Jump to the next test digit the current model gets wrong")
        self.mistake_button.clicked.connect(self.next_mistake_clicked)
        self.verdict = QLabel("")
        self.set_text_px(14)

        lay_out_source_tab(self, (self.index_box, self.previous_button, self.next_button, self.mistake_button), self.view, self.verdict)
        self._label: int | None = None
        self._t_event = -1.0
        self._answer: tuple[float, str] = (-1.0, "")

    def set_text_px(self, px: int) -> None:
        """The verdict half again as large as the window's labels (``px``)."""
        font = QFont()
        font.setPixelSize(round(px * 1.5))
        self.verdict.setFont(font)

    def set_count(self, count: int) -> None:
        self.index_box.setMaximum(max(0, count - 1))

    def show_digit(self, image: np.ndarray, index: int, label: int | None, t_event: float) -> None:
        """Digit ``index`` of the test set; ``t_event`` ties it to the model's answer."""
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        self.index_box.blockSignals(True)
        self.index_box.setValue(index)
        self.index_box.blockSignals(False)
        self._label, self._t_event = label, t_event
        self.verdict.setText(f"True label: {label}" if label is not None else "")
        answered_at, predicted = self._answer
        if answered_at == t_event:  # the model answered before the view caught up
            self.show_prediction(predicted, t_event)

    def show_prediction(self, predicted: str, t_event: float) -> None:
        """The model's answer for the digit of ``t_event``, next to the true label."""
        self._answer = (t_event, predicted)
        if self._label is None or t_event != self._t_event:
            return
        label = self._label
        mark = "✓" if predicted == str(label) else "✗"
        colour = "#6fcf6f" if mark == "✓" else "#ff6b6b"
        self.verdict.setText(f"True label: {label}   ·   model says: <span style='color:{colour}'>{predicted} {mark}</span>")
