"""The current input under each data augmentation, with the model's verdict on every variant."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from viz_app.records.frames import ModelInfo
from viz_app.records.panels import AUGMENTATIONS, DEFAULT_STRENGTH, AugmentParams, AugmentRecord
from viz_app.ui.fit import wrapping_label
from viz_app.ui.panels.augment_captions import CAPTION_FONT, SHORT_NAMES, fit_caption, names_too_long, show_if_readable

_SAME = "#dddddd"
_CHANGED = "#ff5050"
_CHANGED_PEN = pg.mkPen(_CHANGED, width=3)
_GAP_GRAY = 40  # between the tiles of the grid image
CONFIDENCE_REFRESH_S = 0.25  # a caption whose class holds redraws its changing percentage at most this often
REFRESH_HZ = 30  # the variants are recomputed at most this often (video rate); the layers follow every frame
CATCH_UP_MS = 100  # input that stopped between two refreshes: ask for the variants of the last frame after this


@dataclass
class _Tile:
    """The caption and the red frame of one variant, with what they show now."""
    label: QGraphicsSimpleTextItem
    frame: QGraphicsRectItem
    text: str = ""
    verdict: tuple[int, bool] = (-1, False)  # (prediction, changed) shown
    written: float = 0.0  # perf_counter of the last caption change


class AugmentationsPanel(QWidget):
    """A grid of variants; those whose prediction differs from the original are framed in red.

    The variants are drawn as ONE image (a grid with a caption band above each tile) in one
    view, with a text item and a frame per tile on top: a frame costs one image upload, and a
    caption that changes does not lay the panel out again. Captions are cached as pixmaps; a
    new class or a new verdict shows at once, a confidence that merely wobbles refreshes at
    most four times a second (unreadable faster, and each redraw costs frame time).

    The variants follow the input at up to REFRESH_HZ: a frame in between brings the last
    record again (the same object), which leaves the grid as drawn; when the input stops on
    such a frame the panel asks for the extra again after CATCH_UP_MS, so that the grid always
    ends on the last input.

    Emits ``params_changed(params)`` whenever a strength, the seed or the fixed-seed option
    changes (and once from ``request()``).
    """

    params_changed = Signal(object)  # params dict for the augment extra

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = wrapping_label(QLabel("Draw a digit"))
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#1e1e1e")
        self.graphics.setMinimumHeight(120)
        self.view = self.graphics.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self._tiles: dict[str, _Tile] = {}
        for name in AUGMENTATIONS:
            # In image coordinates (not a pg.TextItem, which keeps its screen size): the caption
            # grows and shrinks with its tile and can never run into the next one.
            label = QGraphicsSimpleTextItem(name)
            label.setBrush(QColor(_SAME))
            label.setFont(CAPTION_FONT)
            label.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            label.setVisible(False)  # until the grid is laid out: all at (0, 0) they would overlap
            frame = QGraphicsRectItem()
            frame.setPen(_CHANGED_PEN)
            frame.setVisible(False)
            self.view.addItem(label)
            self.view.addItem(frame)
            self._tiles[name] = _Tile(label, frame)
        self._grid: np.ndarray | None = None
        self._cells: dict[str, tuple[int, int]] = {}  # name -> (top, left) of its tile in the grid image
        self._tile_shape: tuple[int, ...] = ()
        self._caption_box = (28.0, 14.0)  # width, height in image pixels a caption may take
        self._short_names = False  # captions use SHORT_NAMES: the full ones would be too small to read
        self.captions_hidden = False  # too small to read where the panel is now: hidden
        self._summary_verdict: tuple[int, int, int] = (-1, -1, -1)
        self._summary_written = 0.0

        controls, buttons = self._build_controls()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.graphics, 1)
        layout.addLayout(buttons)
        layout.addWidget(controls)
        self._debounce = QTimer(self, singleShot=True, interval=150, timeout=self.request)
        self._catch_up = QTimer(self, singleShot=True, interval=CATCH_UP_MS, timeout=self.request)
        self._record: AugmentRecord | None = None  # the record the grid shows
        self._relayout = QTimer(self, singleShot=True, interval=100, timeout=self._on_relayout)
        self.shown = 0

    def _build_controls(self) -> tuple[QGroupBox, QHBoxLayout]:
        """The strength sliders and the seed (hidden until asked for: the variants need the room), and
        the row with the re-roll button and the switch that shows them."""
        self.sliders: dict[str, QSlider] = {}
        controls = QGroupBox("Strength and seed")
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
        rows = grid.rowCount()
        grid.addWidget(self.fixed, rows, 0, 1, 2)
        grid.addWidget(self.seed, rows, 2, 1, 2)
        self.show_strengths = QToolButton(text="Settings", checkable=True)
        self.show_strengths.setToolTip("Show each augmentation's strength and the seed (hidden, the variants have the room)")
        self.show_strengths.toggled.connect(controls.setVisible)
        controls.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_strengths)
        buttons.addWidget(self.reroll)
        buttons.addStretch(1)

        return controls, buttons

    def params(self) -> AugmentParams:
        """What the augment extra should compute now."""
        strength = {name: s.value() / 100 for name, s in self.sliders.items()}
        return AugmentParams(AUGMENTATIONS, tuple(strength.items()), self.seed.value(), REFRESH_HZ)

    def request(self) -> None:
        """Ask for the augment extra with the current settings."""
        self.params_changed.emit(self.params())

    def model_changed(self, info: ModelInfo) -> None:
        """Nothing to forget: the settings hold for any model."""

    def tile_state(self, name: str) -> tuple[str, bool]:
        """(caption, framed red as a changed prediction) that variant ``name``'s tile shows."""
        tile = self._tiles[name]
        return tile.text, tile.verdict[1]

    def caption_rect(self, name: str) -> QRectF:
        """Where variant ``name``'s caption is drawn, in the panel's pixels."""
        label = self._tiles[name].label
        scene = label.mapRectToScene(label.boundingRect())
        return self.graphics.mapFromScene(scene).boundingRect().toRectF()

    def tile_image(self, name: str) -> np.ndarray:
        """The pixels of variant ``name`` in the one image the view shows."""
        shown = self.image.image
        assert shown is not None, "no record shown yet"
        top, left = self._cells[name]
        h, w = self._tile_shape[:2]
        return shown[top : top + h, left : left + w]

    def _columns_for(self, count: int, cell_w: int, cell_h: int) -> int:
        """The number of columns that draws ``count`` cells of ``cell_w`` x ``cell_h`` largest in the view
        (4 in a side tab, 6 on a wide presented screen); a caption is as wide as its cell, so the
        widest cells win a tie."""
        width, height = max(1, self.graphics.width()), max(1, self.graphics.height())

        def scale(columns: int) -> float:
            return min(width / (columns * cell_w), height / (-(-count // columns) * cell_h))

        best = max(scale(c) for c in range(3, 7))
        return min(c for c in range(3, 7) if scale(c) >= 0.9 * best)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """A new shape may want another number of columns: lay the grid out again for it."""
        super().resizeEvent(event)
        if self._record is not None and self._cells and not self._relayout.isActive():
            self._relayout.start()

    def _on_relayout(self) -> None:
        record, self._record = self._record, None
        if record is not None:
            self._tile_shape = ()
            self.show_record(record)

    def _lay_out(self, names: list[str], shape: tuple[int, ...]) -> None:
        """Size the grid image for tiles of ``shape`` and put captions and frames in place."""
        h, w = shape[:2]
        gap, band = max(2, w // 8), max(12, h // 2)  # between tiles; a two-line caption band above each
        columns = self._columns_for(len(names), w + gap, band + h + gap)
        rows = -(-len(names) // columns)
        self._grid = np.full(((band + h + gap) * rows, (w + gap) * columns, *shape[2:]), _GAP_GRAY, np.uint8)
        self._cells = {}
        for i, name in enumerate(names):
            r, c = divmod(i, columns)
            top, left = r * (band + h + gap) + band, c * (w + gap)
            self._cells[name] = (top, left)
            self._tiles[name].label.setPos(left, top - band)
            self._tiles[name].frame.setRect(QRectF(left, top, w, h))
        for name, tile in self._tiles.items():
            tile.label.setVisible(name in self._cells)
        self._tile_shape = shape
        self._caption_box = (w + gap * 0.8, band * 0.95)
        self._short_names = names_too_long(names, self.screen(), self._caption_box[0] * min(
            self.graphics.width() / max(1, self._grid.shape[1]), self.graphics.height() / max(1, self._grid.shape[0])))
        for tile in self._tiles.values():
            tile.text = ""  # written again, with the names that fit
        for tile in self._tiles.values():
            fit_caption(tile.label, self._caption_box)
        self.view.setRange(xRange=(0, self._grid.shape[1]), yRange=(0, self._grid.shape[0]), padding=0)

    def show_record(self, record: AugmentRecord) -> None:
        """Draw every variant into the grid image and caption it with the model's verdict."""
        if record is self._record:  # a frame between two refreshes: the grid already shows it
            self._catch_up.start()
            return
        self._catch_up.stop()
        self._record = record
        classes = record.classes or tuple(str(i) for i in range(max(v.prediction for v in record.variants) + 1))
        variants = [v for v in record.variants if v.name in self._tiles]
        if not variants:
            return
        names = [v.name for v in variants]
        if variants[0].image.shape != self._tile_shape or names != list(self._cells):
            self._lay_out(names, variants[0].image.shape)
        assert self._grid is not None
        h, w = self._tile_shape[:2]
        now = time.perf_counter()
        for variant in variants:
            tile = self._tiles[variant.name]
            top, left = self._cells[variant.name]
            self._grid[top : top + h, left : left + w] = variant.image
            verdict = (variant.prediction, variant.changed)
            name = SHORT_NAMES.get(variant.name, variant.name) if self._short_names else variant.name
            text = f"{name}: {classes[variant.prediction][:12]} ({variant.confidence:.0%})"
            if text != tile.text and (verdict != tile.verdict or now - tile.written >= CONFIDENCE_REFRESH_S):
                tile.label.setText(text.replace(": ", "\n", 1))  # name over verdict: two short lines
                tile.label.setBrush(QColor(_CHANGED if variant.changed else _SAME))
                fit_caption(tile.label, self._caption_box)
                tile.text, tile.written = text, now
            if verdict != tile.verdict:
                tile.frame.setVisible(variant.changed)
                tile.verdict = verdict
        self.image.setImage(self._grid, autoLevels=False, levels=(0, 255))
        labels = [self._tiles[name].label for name in self._cells]
        self.captions_hidden = show_if_readable(labels, self.view.viewPixelSize()[0], self.screen())
        original = classes[record.original_prediction][:18]
        summary = (f"Original: {original} ({record.original_confidence:.0%}) · {record.changed_count} of "
                   f"{len(record.variants)} variants change the prediction · seed {record.seed}")  # fmt: skip
        if self.captions_hidden:
            summary += " · Shift+F11 shows their captions"
        verdict = (record.original_prediction, record.changed_count, record.seed)
        if summary != self.summary.text() and (verdict != self._summary_verdict or now - self._summary_written >= CONFIDENCE_REFRESH_S):
            self.summary.setText(summary)
            self._summary_verdict, self._summary_written = verdict, now
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
