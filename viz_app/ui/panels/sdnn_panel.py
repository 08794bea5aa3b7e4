"""A string of digits read in one pass, after the 1998 paper's figures of the SDNN.

Top to bottom, every row under the same stretch of the string: the input strip, C1, C3 and C5
(their channels stacked), each position's class probabilities, the winning class at each
position (faint where unsure) with the digits it reads. The string read itself is the window's
answer, beside the panel in every view.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from viz_app.records.frames import ModelInfo
from viz_app.records.panels import NoParams
from viz_app.records.strings import StringRecord, StripLayer
from viz_app.ui.colours import lut
from viz_app.ui.fit import wrapping_label

BACKGROUND = "#1e1e1e"
SPAN_STEP = 32  # the rows span the strip rounded up to this many pixels
LABEL_PX = 14  # the digits under the winners row
TITLE_WIDTH_EM = 5  # the rows' titles' column, in multiples of their type size ("p(class)", "Answer")
SWITCH_HINT = "Switch the pad to “A string” and choose SDNN"
DIMMED = 0.25  # opacity of the rows while nothing is written
ROWS = (("input", "Input", 2), ("c1", "C1", 3), ("c3", "C3", 3), ("c5", "C5", 3), ("probs", "p(class)", 2), ("winners", "Answer", 1))
PALETTE = np.array([[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
                    [140, 86, 75], [227, 119, 194], [188, 189, 34], [23, 190, 207], [240, 240, 240]], np.float32)  # fmt: skip


@lru_cache(maxsize=1)
def gray_lut() -> np.ndarray:
    """256 x 3: black to white (the input strip, the probabilities)."""
    ramp = np.arange(256, dtype=np.uint8)
    return np.ascontiguousarray(np.stack([ramp] * 3, axis=1))


def winners_image(record: StringRecord) -> np.ndarray:
    """1 x T x 3 uint8: each position in its winning digit's colour, faded into the background
    as its probability falls; the blank in the background colour."""
    winners, confidence = record.winners, record.confidence
    back = np.array([30, 30, 30], np.float32)
    colours = np.where((winners < len(PALETTE))[:, None], PALETTE[np.minimum(winners, len(PALETTE) - 1)], back)
    colours[winners == record.blank] = back
    mixed = back + (colours - back) * confidence[:, None]
    return np.ascontiguousarray(mixed.round().astype(np.uint8)[None])


def digit_runs(record: StringRecord) -> list[tuple[float, str, float]]:
    """(strip x, digit, confidence) of each run of one winning digit, at its most sure position."""
    runs: list[tuple[float, str, float]] = []
    winners, confidence, along = record.winners, record.confidence, record.along
    t = 0
    while t < len(winners):
        end = t
        while end + 1 < len(winners) and winners[end + 1] == winners[t]:
            end += 1
        if winners[t] != record.blank:
            best = t + int(np.argmax(confidence[t : end + 1]))
            runs.append((along.x0 + (best + 0.5) * along.step, record.labels[int(winners[t])], float(confidence[best])))
        t = end + 1
    return runs


class SDNNPanel(QWidget):
    """The strip, C1, C3, C5, the per-position answers and the string read, live while one writes."""

    params_changed = Signal(object)  # never: the sdnn extra has no parameters

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = wrapping_label(QLabel(SWITCH_HINT))
        self._string_mode = False
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(BACKGROUND)
        self.graphics.setMinimumHeight(160)
        self.views: dict[str, pg.ViewBox] = {}
        self.images: dict[str, pg.ImageItem] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        self._build_rows()
        self._labels: list[pg.TextItem] = []  # the digits under the winners row, reused
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.message)
        layout.addWidget(self.graphics, 1)
        self._label_px = LABEL_PX
        self._width = 0
        self._opacity = 1.0
        self._geometry: dict[str, tuple[float, ...]] = {}  # row -> (rows, columns, x0, step) as drawn
        self._layer_titles: dict[str, tuple[str, bool]] = {}  # row -> (title, signed) as shown
        self._digits: list[tuple[float, str, int]] = []  # the digit labels as placed
        self.record: StringRecord | None = None
        self.shown = 0  # records drawn

    def _build_rows(self) -> None:
        """One title and one view per row, all x-linked to the input's view."""
        grid = self.graphics.ci
        for row, (key, title, stretch) in enumerate(ROWS):
            label = grid.addLabel(title, row=row, col=0, size="12px", color="#cccccc", justify="left")
            label.setFixedWidth(TITLE_WIDTH_EM * 12)
            view = grid.addViewBox(row=row, col=1, invertY=True, enableMouse=False)
            view.setMenuEnabled(False)
            image = pg.ImageItem(axisOrder="row-major")
            image.setLookupTable(gray_lut() if key in ("input", "probs") else lut(False))
            view.addItem(image)
            if key != "input":
                view.setXLink(self.views["input"])
            grid.layout.setRowStretchFactor(row, stretch)
            self.views[key], self.images[key], self.titles[key] = view, image, label

    def set_text_px(self, px: int) -> None:
        """The rows' titles at ``px`` pixels (the window's labels' size), their column as wide as they need."""
        for label in self.titles.values():
            label.setText(label.text, size=f"{px}px")  # the title shown now, at the new size
            label.setFixedWidth(TITLE_WIDTH_EM * px)
        self._label_px = max(LABEL_PX, px)
        for label in self._labels:
            label.setFont(self._digit_font())
        self._digits = []  # placed again at the next frame, with room for the new type

    def set_string_mode(self, on: bool) -> None:
        """The pad reads strings (True): the message no longer asks to switch it."""
        self._string_mode = on
        if not on and self.record is None:
            self.message.setText(SWITCH_HINT)

    # --- the Panel protocol ---------------------------------------------------------------------
    def params(self) -> NoParams:
        """Parameters of the sdnn extra (it has none)."""
        return NoParams()

    def model_changed(self, info: ModelInfo) -> None:
        """Forget the last reading: the next record is the new model's."""
        self.record = None

    def show_record(self, record: StringRecord) -> None:
        """Draw one frame's reading; a record without layers (a one-digit model) shows its message only."""
        self.record = record
        self.shown += 1
        message = record.message if self._string_mode or not record.empty else f"{record.message}: {SWITCH_HINT[0].lower()}{SWITCH_HINT[1:]}"
        if message != self.message.text():
            self.message.setText(message)
            self.message.setVisible(bool(message))
        self.graphics.setVisible(bool(record.layers))
        if not record.layers:
            return
        width = int(record.strip.shape[1])
        self._draw("input", record.strip, (0.0, 1.0))
        for layer in record.layers:
            self._draw_layer(layer)
        along = (record.along.x0, record.along.step)
        self._draw("probs", np.ascontiguousarray((record.probabilities[: record.blank] * 255).round().astype(np.uint8)), along)
        self._draw("winners", winners_image(record), along)
        self._place_digits([] if record.empty else digit_runs(record))
        span = max(SPAN_STEP * 5, -(-width // SPAN_STEP) * SPAN_STEP)  # a growing string moves the rows' range seldom
        if span != self._width:
            self._width = span
            self.views["input"].setXRange(0, span, padding=0)
        opacity = DIMMED if record.empty else 1.0
        if opacity != self._opacity:
            self._opacity = opacity
            for image in self.images.values():
                image.setOpacity(opacity)

    # --- drawing ----------------------------------------------------------------------------------
    def _draw(self, key: str, image: np.ndarray, along: tuple[float, float]) -> None:
        """Row ``key``'s image, its columns ``along`` = (x0, step) on the strip; the geometry only when it changed."""
        item = self.images[key]
        item.setImage(image, autoLevels=False, levels=(0, 255))
        geometry = (image.shape[0], image.shape[1], *along)
        if geometry != self._geometry.get(key):
            self._geometry[key] = geometry
            rows, cols, x0, step = geometry
            item.setRect(QRectF(x0, 0, cols * step, rows))
            self.views[key].setYRange(0, rows, padding=0)

    def _draw_layer(self, layer: StripLayer) -> None:
        """A layer's stacked channels under the columns of the strip they look at."""
        key = next((k for k, title, _ in ROWS if layer.title.upper().startswith(title.upper() + " ")), None)
        if key is None:
            return
        if (layer.title, layer.signed) != self._layer_titles.get(key):
            self._layer_titles[key] = (layer.title, layer.signed)
            self.images[key].setLookupTable(lut(layer.signed))
            self.titles[key].setText("<br>".join(layer.title.split(" ", 1)))
        self._draw(key, layer.image, (layer.along.x0, layer.along.step))

    def _place_digits(self, runs: list[tuple[float, str, float]]) -> None:
        """One label per run of a winning digit, over the winners row, as sure as its colour;
        a run too close to the one before to be read beside it gets no label."""
        view = self.views["winners"]
        (x_lo, x_hi), _ = view.viewRange()
        room = self._label_px * (x_hi - x_lo) / max(1.0, view.width())  # a label's width in strip pixels
        placed: list[tuple[float, str, float]] = []
        for run in runs:
            if not placed or run[0] - placed[-1][0] >= room:
                placed.append(run)
        while len(self._labels) < len(placed):
            label = pg.TextItem("", anchor=(0.5, 0.5))
            label.setFont(self._digit_font())
            view.addItem(label)
            self._labels.append(label)
        shown = [(x, digit, int(80 + 175 * sure) // 16 * 16) for x, digit, sure in placed]  # alpha in 16 steps
        if shown == self._digits:
            return
        self._digits = shown
        for label, (x, digit, alpha) in zip(self._labels, shown):
            label.setText(digit, color=(255, 255, 255, alpha))
            label.setPos(x, 0.5)
            label.setVisible(True)
        for label in self._labels[len(shown) :]:
            label.setVisible(False)

    def _digit_font(self) -> QFont:
        font = QFont()
        font.setBold(True)
        font.setPixelSize(self._label_px)
        return font
