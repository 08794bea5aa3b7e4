"""The MNIST tab: the test-set browser, and the current model asked about the test digits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import QObject

from viz_app.app.source_tabs import SourceTab
from viz_app.inputs.digit import FIELD, mnist_digit
from viz_app.models import load_model
from viz_app.records.frames import Frame, FrameResult, ModelInfo
from viz_app.sources.mnist_browser import Classifier, MnistBrowser
from viz_app.training.evaluate import evaluate
from viz_app.training.mnist import Digits, load_split
from viz_app.ui.main_window import MainWindow
from viz_app.ui.sources.mnist_panel import MnistPanel


def window_digits(images: np.ndarray) -> np.ndarray:
    """N x 28 x 28 digits as the window prepares them (mnist_digit), so that the browser's
    predictions match what the window shows."""
    out = np.zeros((len(images), FIELD, FIELD), np.uint8)
    for i, image in enumerate(images):
        digit = mnist_digit(image)
        if digit is not None:
            out[i] = digit
    return out


def model_classifier(name: str, weights: str | Path | None = None, device: str = "cpu") -> Classifier | None:
    """A Classifier running registered model ``name`` on digits prepared as the window does;
    None for a model that does not classify digits (an ImageNet model)."""
    loaded = load_model(name, device, weights)
    if loaded.spec.input.channels != 1 or len(loaded.spec.classes) != 10:
        return None

    def classify(images: np.ndarray) -> np.ndarray:
        digits = Digits(window_digits(images), np.zeros(len(images), np.int64), "")
        return evaluate(loaded.model, loaded.spec, digits, torch.device(device)).predictions

    return classify


class MnistTab(QObject):
    """The MNIST tab: the test-set browser, its verdicts and the jump to the model's next mistake."""

    def __init__(self, window: MainWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self.panel = MnistPanel()
        self.browser = MnistBrowser(load=lambda: load_split("test"))  # $CNN_VIZ_DATA, or downloaded once
        self.panel.step_requested.connect(self.browser.step)
        self.panel.index_requested.connect(self.browser.goto)
        self.panel.next_mistake_clicked.connect(self._on_next_mistake_clicked)
        window.model_shown.connect(self._on_model_shown)
        if window.model is not None:
            self._on_model_shown(window.model)

    def entry(self) -> SourceTab:
        """The MNIST tab's registry entry."""
        return SourceTab(
            "mnist", "MNIST", self.panel, lambda: self.browser, show_frame=self._show_frame, show_result=self._show_result
        )

    def _show_frame(self, frame: Frame) -> None:
        self.panel.set_count(len(self.browser))
        self.panel.show_digit(frame.image, self.browser.index, self.browser.label, frame.t_event)

    def _show_result(self, result: FrameResult) -> None:
        if not result.empty:
            self.panel.show_prediction(result.classes[result.prediction], result.t_event)

    def _on_model_shown(self, info: ModelInfo) -> None:
        self.browser.set_classifier(None)
        self.panel.mistake_button.setEnabled(info.channels == 1 and len(info.classes) == 10)

    def _on_next_mistake_clicked(self) -> None:
        info = self._window.model
        if info is None or info.channels != 1 or not info.trained:
            self._window.show_message("Next mistake needs a trained digit model")
            return
        if not self.browser.has_classifier:
            try:
                self.browser.set_classifier(model_classifier(info.name, info.weights))
            except Exception as exc:  # weights that loaded in the worker but not here
                self._window.show_message(f"Could not ask {info.title} about the test set: {exc}")
                return
        self.browser.next_misclassified()
