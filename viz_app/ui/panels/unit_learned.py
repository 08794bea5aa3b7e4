"""What a unit has learned: its nine strongest test digits and its favourite input.

The top digits arrive with every unit record (``UnitInsight.top``); the favourite input is
asked for with the button (``favourite_clicked``) and shown when it arrives (``show_favourite``).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from viz_app.records.units import Favourite, TopImages
from viz_app.ui.fit import wrapping_label

TILE = 36  # smallest on-screen size of one top digit, pixels; a wider panel draws them larger
DREAM = 72  # smallest on-screen size of the favourite input
GRID_SHARE = 0.6  # of the panel's width the nine digits take; the button and the favourite input the rest
STYLE = ""  # the window's type: presentation and Ctrl+plus size it (8 pt stayed 8 pt on a projector)


def pixmap(image: np.ndarray, size: int) -> QPixmap:
    """A uint8 gray (H x W) or RGB (H x W x 3) image scaled to fit ``size`` pixels, square pixels kept."""
    data = np.ascontiguousarray(image)
    fmt = QImage.Format.Format_RGB888 if data.ndim == 3 else QImage.Format.Format_Grayscale8
    qimage = QImage(data.data, data.shape[1], data.shape[0], data.strides[0], fmt).copy()
    return QPixmap.fromImage(qimage).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)


def _label(text: str = "", style: str = STYLE) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(style)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class LearnedView(QWidget):
    """Top digits in a 3 x 3 grid with value and label; the current input on their scale; the favourite input."""

    favourite_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 2, 3, 2)
        layout.setSpacing(3)
        self.heading = wrapping_label(_label("Strongest MNIST test digits"))
        layout.addWidget(self.heading)
        self.message = wrapping_label(_label("", "color: #b05000;"))
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self.current = wrapping_label(_label(""))
        layout.addWidget(self.current)
        self.row = row = QBoxLayout(QBoxLayout.Direction.LeftToRight)  # the favourite input under the digits when narrow
        row.setSpacing(6)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(0)
        self.tiles: list[QLabel] = []
        self.captions: list[QLabel] = []
        for i in range(9):
            tile, caption = _label(), _label()
            tile.setMinimumSize(TILE, TILE)  # the panel's minimum: larger tiles follow its width (resizeEvent)
            grid.addWidget(tile, 2 * (i // 3), i % 3, Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(caption, 2 * (i // 3) + 1, i % 3, Qt.AlignmentFlag.AlignCenter)
            self.tiles.append(tile)
            self.captions.append(caption)
        row.addLayout(grid)
        side = QVBoxLayout()
        side.setSpacing(3)
        self.button = QPushButton("Favourite input")
        self.button.setToolTip("Gradient ascent on the input (jitter, smoothness, decay): the image this unit likes best")
        self.button.clicked.connect(self.favourite_clicked)
        side.addWidget(self.button)
        self.dream = _label()
        self.dream.setMinimumSize(DREAM, DREAM)
        side.addWidget(self.dream, 0, Qt.AlignmentFlag.AlignHCenter)
        self.dream_caption = wrapping_label(_label(""))
        self.dream_caption.setMinimumWidth(DREAM)
        side.addWidget(self.dream_caption)
        side.addStretch(1)
        row.addLayout(side, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.top: TopImages | None = None
        self._top_id: int | None = None
        self.tile = TILE
        self._favourite: Favourite | None = None
        self.clear()

    def _column(self) -> int:
        """Width of one column of digits at the smallest tile: the tile or its caption ("0: 9.99")."""
        return max(TILE, self.captions[0].fontMetrics().horizontalAdvance("0: 9.99") + 4)

    def narrowest(self) -> int:
        """The least width that shows the digits and the button whole, one under the other."""
        return max(3 * self._column() + 16, self.button.sizeHint().width()) + 6

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Digits as large as the room allows, beside the favourite input where the width has room for
        both: a presented or widened tab shows them from the back row."""
        width = event.size().width()
        room = self.parentWidget().height() if self.parentWidget() is not None else event.size().height()  # a scroll area's view
        wide = width >= 3 * self._column() + 16 + 6 + self.button.sizeHint().width() + 6
        self.row.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        line = self.captions[0].fontMetrics().height()
        by_height = (room - 7 * line - 30) // 3 if wide else width  # wide: the whole panel on screen; narrow: it scrolls
        tile = max(TILE, min(int(width * (GRID_SHARE if wide else 1.0) / 3) - 12, by_height))
        if tile != self.tile:
            self.tile = tile
            self._draw_tiles()
            if self._favourite is not None:
                self.dream.setPixmap(pixmap(self._favourite.image, self.dream_size))
        super().resizeEvent(event)

    @property
    def dream_size(self) -> int:
        """On-screen size of the favourite input: twice a digit's."""
        return max(DREAM, 2 * self.tile)

    def clear(self) -> None:
        """Nothing selected: no digits, no favourite."""
        self.top, self._top_id = None, None
        self.show_top(None, "Click a unit to see the digits that excite it most.")
        self.clear_favourite()
        self.button.setEnabled(False)
        self.current.setText("")

    def show_top(self, top: TopImages | None, message: str = "") -> None:
        """Draw the top digits (once per selection) or the message saying how to get them."""
        if top is not None and id(top) == self._top_id:
            return
        self.top, self._top_id = top, (id(top) if top is not None else None)
        self.message.setText(message)
        self.message.setVisible(bool(message))
        self._draw_tiles()
        if top is not None:
            where = "whole inputs" if top.whole else "each cut to the unit's receptive field around its strongest place"
            self.heading.setText(f"Strongest {top.source}")
            self.heading.setToolTip(f"The nine inputs that excite this unit most, {where}; under each: its label, then the activation")

    def _draw_tiles(self) -> None:
        top = self.top
        for i, (tile, caption) in enumerate(zip(self.tiles, self.captions)):
            if top is None or i >= len(top.values):
                tile.clear()
                caption.setText("")
                continue
            tile.setPixmap(pixmap(top.crops[i], self.tile))
            name = top.names[i] if i < len(top.names) else str(top.labels[i])
            caption.setText(f"{name[:8]}: {top.values[i]:.3g}")
            caption.setToolTip(f"#{top.indices[i]} {top.source}, labelled {name}; activation {top.values[i]:.4g}")

    def show_current(self, value: float) -> None:
        """The current input's activation on the top digits' scale."""
        if self.top is None or self.top.best <= 0:
            self.current.setText(f"this input: {value:.3g}")
            return
        self.current.setText(f"this input: {value:.3g} = {value / self.top.best:.2f}x its best, mean {self.top.mean:.3g}")

    def clear_favourite(self, text: str = "") -> None:
        """No favourite input shown (``text`` says why, e.g. that it is being computed)."""
        self.dream.clear()
        self._favourite = None
        self.dream_caption.setText(text)

    def show_favourite(self, favourite: Favourite) -> None:
        """Draw the favourite input with the value it reaches, on the top digits' scale where known."""
        self._favourite = favourite
        self.dream.setPixmap(pixmap(favourite.image, self.dream_size))
        scale = ""
        if self.top is not None and self.top.best > 0:
            scale = f" = {favourite.value / self.top.best:.2f}x its best digit"
            if self.top.mean > 0:
                scale += f" and {favourite.value / self.top.mean:.0f}x its mean"
        self.dream_caption.setText(f"reaches {favourite.value:.3g}{scale} ({favourite.steps} steps, {favourite.seconds:.1f} s)")
