"""What the network looks at: a saliency heat map over the input, switchable."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from viz_app.records.frames import ModelInfo
from viz_app.records.panels import SaliencyParams, SaliencyRecord
from viz_app.ui.colours import lut
from viz_app.ui.fit import shrinkable_combo, wrapping_label

METHODS = (
    ("auto", "Auto (input gradient on digits, Grad-CAM on photos)"),
    ("gradcam", "Grad-CAM (last conv stage)"),
    ("gradient", "Input gradient"),
)


@lru_cache(maxsize=1)
def heat_lut() -> np.ndarray:
    """256 x 4 RGBA: the sequential colour map, transparent where the map is 0."""
    table = np.empty((256, 4), np.uint8)
    table[:, :3] = lut(False)
    table[:, 3] = np.linspace(0, 255, 256).astype(np.uint8)
    return table


class SaliencyPanel(QWidget):
    """The input with the saliency of the predicted class on top.

    ``params_changed(params or None)``: on with a method, or off.
    """

    params_changed = Signal(object)  # params dict for the saliency extra, or None (off)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox("Show what the network looks at")
        self.enabled.setChecked(True)
        self.enabled.toggled.connect(self._on_enabled_toggled)
        self.method = QComboBox()
        for key, label in METHODS:
            self.method.addItem(label, key)
        shrinkable_combo(self.method, 10)
        self.method.currentIndexChanged.connect(self._on_method_changed)
        self.opacity = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, value=70)
        self.opacity.setToolTip("Opacity of the heat map")
        self.opacity.valueChanged.connect(self._on_opacity_changed)
        self.caption = wrapping_label(QLabel(""))
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#1e1e1e")
        self.view = self.graphics.addViewBox(row=0, col=0, lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.input_image = pg.ImageItem(axisOrder="row-major")
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setLookupTable(heat_lut())
        self.heat.setOpacity(0.7)
        self.view.addItem(self.input_image)
        self.view.addItem(self.heat)
        self.enabled.setText("Show")
        self.enabled.setToolTip("Show what the network looks at")
        controls = QHBoxLayout()
        controls.addWidget(self.enabled)
        controls.addWidget(self.method)
        controls.addWidget(QLabel("opacity"))
        controls.addWidget(self.opacity)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(self.graphics, 1)
        self._shape: tuple[int, ...] = ()
        self._classes: tuple[str, ...] = ()
        self.shown = 0

    def params(self) -> SaliencyParams | None:
        """What the saliency extra should compute, or None when switched off."""
        return SaliencyParams(self.method.currentData()) if self.enabled.isChecked() else None

    def model_changed(self, info: ModelInfo) -> None:
        """The new model's class names (method and opacity hold for any model)."""
        self._classes = info.classes

    def show_record(self, record: SaliencyRecord) -> None:
        """Draw the input with this frame's heat map over it."""
        self.input_image.setImage(record.input_image, autoLevels=False, levels=(0, 255))
        self.heat.setImage(record.heatmap, autoLevels=False, levels=(0, 255))
        self.heat.setVisible(self.enabled.isChecked())
        if record.input_image.shape != self._shape:
            self._shape = record.input_image.shape
            h, w = self._shape[:2]
            self.view.setRange(xRange=(0, w), yRange=(0, h), padding=0)
        where = f"on {record.layer}" if record.method == "gradcam" else "w.r.t. the input pixels"
        name = dict(METHODS).get(record.method, record.method).split(" (")[0]
        self.caption.setText(f"{name} of “{self.class_name(record.class_index)}” {where}" + ("" if record.cam_max > 0 else " (no positive evidence)"))
        self.shown += 1

    def class_name(self, index: int) -> str:
        """The shown model's name of class ``index`` (its first synonym), or its number where it has none."""
        if 0 <= index < len(self._classes):
            return self._classes[index].split(",")[0].strip()
        return f"class {index}"

    def _on_enabled_toggled(self, on: bool) -> None:
        self.heat.setVisible(on)
        self.params_changed.emit(self.params())

    def _on_method_changed(self, index: int) -> None:
        if self.enabled.isChecked():
            self.params_changed.emit(self.params())

    def _on_opacity_changed(self, value: int) -> None:
        self.heat.setOpacity(value / 100)
