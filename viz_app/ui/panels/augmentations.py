"""The current input under each data augmentation, with the model's verdict on every variant."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSlider, QSpinBox, QVBoxLayout, QWidget

from viz_app.insight_records import AUGMENTATIONS, DEFAULT_STRENGTH, AugmentRecord

COLUMNS = 4
_SAME = "#dddddd"
_CHANGED = "#ff5050"
_CHANGED_PEN = pg.mkPen(_CHANGED, width=3)


@dataclass
class _Tile:
    label: pg.LabelItem
    view: pg.ViewBox
    image: pg.ImageItem
    text: str = ""
    changed: bool = False


class AugmentationsPanel(QWidget):
    """A grid of variants; those whose prediction differs from the original are framed in red.

    Emits ``extra_requested("augment", params)`` whenever a strength, the seed or the
    fixed-seed option changes (and once from ``request()``).
    """

    extra_requested = Signal(str, object)  # "augment", params dict for the worker's set_extra
    extra_key = "augment"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("Draw a digit")
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#1e1e1e")
        self.graphics.setMinimumHeight(260)
        self._tiles: dict[str, _Tile] = {}
        for i, name in enumerate(AUGMENTATIONS):
            r, c = divmod(i, COLUMNS)
            label = self.graphics.addLabel(name, row=2 * r, col=c, size="8pt", color=_SAME)
            view = self.graphics.addViewBox(row=2 * r + 1, col=c, lockAspect=True, invertY=True, enableMouse=False)
            view.setMenuEnabled(False)
            image = pg.ImageItem(axisOrder="row-major")
            view.addItem(image)
            self._tiles[name] = _Tile(label, view, image)

        self.sliders: dict[str, QSlider] = {}
        controls = QGroupBox("Strength")
        grid = QGridLayout(controls)
        for i, name in enumerate(AUGMENTATIONS):
            slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=100, value=round(DEFAULT_STRENGTH * 100))
            slider.setToolTip(f"How strong the {name} augmentation is (0: none)")
            slider.valueChanged.connect(self._on_setting_changed)
            self.sliders[name] = slider
            r, c = divmod(i, 2)
            grid.addWidget(QLabel(name), r, 2 * c)
            grid.addWidget(slider, r, 2 * c + 1)
        self.reroll = QPushButton("Re-roll")
        self.reroll.setToolTip("Draw new random parameters for every augmentation")
        self.reroll.clicked.connect(self._on_reroll)
        self.fixed = QCheckBox("Fixed seed")
        self.fixed.setToolTip("Use the seed on the right: the same variants in every lecture")
        self.fixed.toggled.connect(self._on_fixed_toggled)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 64, value=random.randrange(10_000))
        self.seed.valueChanged.connect(self._on_setting_changed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reroll)
        buttons.addWidget(self.fixed)
        buttons.addWidget(self.seed)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.graphics, 1)
        layout.addLayout(buttons)
        layout.addWidget(controls)
        self._debounce = QTimer(self, singleShot=True, interval=150, timeout=self.request)
        self.shown = 0

    def params(self) -> dict[str, Any]:
        """What the augment extra should compute now."""
        return {
            "names": list(AUGMENTATIONS),
            "strength": {name: s.value() / 100 for name, s in self.sliders.items()},
            "seed": self.seed.value(),
        }

    def request(self) -> None:
        """Ask for the augment extra with the current settings."""
        self.extra_requested.emit("augment", self.params())

    def tile_state(self, name: str) -> tuple[str, bool]:
        """(caption, framed as changed) of a tile (for tests)."""
        tile = self._tiles[name]
        return tile.text, tile.changed

    def show_record(self, record: AugmentRecord) -> None:
        classes = record.classes or tuple(str(i) for i in range(max(v.prediction for v in record.variants) + 1))
        for variant in record.variants:
            tile = self._tiles.get(variant.name)
            if tile is None:
                continue
            tile.image.setImage(variant.image, autoLevels=False, levels=(0, 255))
            text = f"{variant.name}: {classes[variant.prediction][:12]} ({variant.confidence:.0%})"
            if text != tile.text:
                tile.label.setText(text, color=_CHANGED if variant.changed else _SAME)
                tile.text = text
            if variant.changed != tile.changed:
                tile.view.setBorder(_CHANGED_PEN if variant.changed else None)
                tile.changed = variant.changed
            h, w = variant.image.shape[:2]
            if tile.view.viewRange()[0][1] != w:
                tile.view.setRange(xRange=(0, w), yRange=(0, h), padding=0)
        original = classes[record.original_prediction][:18]
        self.summary.setText(
            f"Original: {original} ({record.original_confidence:.0%}) · {record.changed_count} of "
            f"{len(record.variants)} variants change the prediction · seed {record.seed}"
        )
        self.shown += 1

    # --- handlers -------------------------------------------------------------------------------
    def _on_setting_changed(self) -> None:
        self._debounce.start()

    def _on_reroll(self) -> None:
        self.seed.setValue(random.randrange(self.seed.maximum()))  # emits through _on_setting_changed

    def _on_fixed_toggled(self, fixed: bool) -> None:
        self.reroll.setEnabled(not fixed)
        if fixed:
            self.seed.setValue(0)
        self._debounce.start()
