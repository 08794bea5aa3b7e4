"""The Demo tab: the 1995 demo's scenes played on an MNIST test digit or the pad's drawing,
with the probability of the digit's class drawn along the scene as it plays."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from viz_app.app.source_tabs import SourceTab
from viz_app.inputs.digit import mnist_digit
from viz_app.records.frames import Frame, FrameResult, ModelInfo
from viz_app.sources.demo import DEFAULT_RATE, DemoSource
from viz_app.sources.scenes import SCENES, Scene, get_scene
from viz_app.training.mnist import Digits, load_split
from viz_app.ui.main_window import MainWindow
from viz_app.ui.sources.demo_panel import DemoPanel

PAD = -1  # the digit box's value for "the pad's drawing"


class DemoTab(QObject):
    """Which scene plays on which digit, how fast; makes the DemoSource when the tab is shown."""

    restart_requested = Signal()  # play afresh (another scene, digit or speed)

    def __init__(self, window: MainWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self.panel = DemoPanel([(s.name, s.title) for s in SCENES.values()])
        self.scene: Scene = get_scene("translation")
        self.digit_index = 0
        self.rate = DEFAULT_RATE
        self.source: DemoSource | None = None
        self._digits: Digits | None = None
        self._reference_class: int | None = None
        self.panel.set_scene(self.scene.name, self.scene.parameter, self.scene.values)
        self.panel.scene_picked.connect(self._on_scene_picked)
        self.panel.digit_picked.connect(self._on_digit_picked)
        self.panel.rate_picked.connect(self._on_rate_picked)
        self.panel.play_toggled.connect(lambda playing: self.source.freeze(not playing) if self.source else None)
        self.panel.keep_reference_clicked.connect(self._on_keep_reference)
        window.model_shown.connect(self._on_model_shown)

    def entry(self) -> SourceTab:
        """The Demo tab's registry entry."""
        return SourceTab("demo", "Demo", self.panel, self.make_source, show_frame=self._show_frame,
                         show_result=self._show_result, show_message=self.panel.verdict.setText)

    def choose(self, scene: str | None = None) -> None:
        """Play ``scene`` (a --source demo:SCENE); ValueError for a scene that is not there."""
        if scene:
            self.scene = get_scene(scene)
            self.panel.set_scene(self.scene.name, self.scene.parameter, self.scene.values)

    def make_source(self) -> DemoSource | None:
        """A DemoSource for the chosen scene and digit; None (and a message) when there is no digit."""
        digit, label = self._digit()
        if digit is None:
            return None
        self._reference_class = label
        self.source = DemoSource(self.scene, digit, label, self.rate)
        self.source.freeze(self.panel.play_button.isChecked())  # checked: paused
        return self.source

    def _digit(self) -> tuple[np.ndarray | None, int | None]:
        """The digit to play and its true label (None for the pad's drawing)."""
        if self.digit_index == PAD:
            ink = self._window.pad.current_frame().image
            digit = mnist_digit(ink)
            if digit is None:
                self._window.show_message("Draw a digit on the pad first, or pick an MNIST test digit")
            return digit, None
        try:
            if self._digits is None:
                self._digits = load_split("test")  # $CNN_VIZ_DATA, or downloaded once
        except Exception as exc:  # no local copy and no network: the pad still works
            self._window.show_message(f"No MNIST test set ({exc}); set the digit to -1 to play the pad's drawing")
            return None, None
        index = min(self.digit_index, len(self._digits) - 1)
        return self._digits.images[index], int(self._digits.labels[index])

    def _show_frame(self, frame: Frame) -> None:
        step = self.source.step_of(frame.seq) if self.source else None
        if step is not None:
            self.panel.show_step(frame.image, step.value)

    def _show_result(self, result: FrameResult) -> None:
        step = self.source.step_of(result.seq) if self.source else None
        if step is None or result.empty:
            return
        if self._reference_class is None and step.value == self.scene.neutral:
            self._reference_class = result.prediction  # the pad's drawing: the class read untransformed
        target = self._reference_class if self._reference_class is not None else result.prediction
        correct = None if self._reference_class is None else result.prediction == self._reference_class
        self.panel.add_point(step.index, float(result.probabilities[target]), result.classes[result.prediction], correct,
                             self.scene.label(step.value))

    def _on_scene_picked(self, name: str) -> None:
        self.choose(name)
        self.restart_requested.emit()

    def _on_digit_picked(self, index: int) -> None:
        self.digit_index = index
        self.panel.set_scene(self.scene.name, self.scene.parameter, self.scene.values)
        self.restart_requested.emit()

    def _on_rate_picked(self, rate: float) -> None:
        self.rate = rate
        self.restart_requested.emit()

    def _on_keep_reference(self) -> None:
        model = self._window.model
        self.panel.keep_reference(model.title.split(" (")[0] if model else "reference")

    def _on_model_shown(self, info: ModelInfo) -> None:
        self.panel.set_scene(self.scene.name, self.scene.parameter, self.scene.values)
        self.panel.name_curve(info.title.split(" (")[0])
