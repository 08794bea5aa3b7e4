"""The captions over the augmentation panel's variants: sized into their tiles, shortened where the
full names would be too small to read, hidden where even those would."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QFont, QFontMetrics, QScreen
from PySide6.QtWidgets import QGraphicsSimpleTextItem

CAPTION_FONT = QFont()
CAPTION_FONT.setPixelSize(20)  # laid out at this size, then scaled into the tile's caption band
SHORT_NAMES = {"rotation": "rotate", "intensity": "bright", "contrast": "contr.", "crop+pad": "crop", "translation": "shift",
               "perspective": "persp.", "elastic": "elast."}  # fmt: skip
CAPTION_SHARE = 1 / 60  # a caption's type is at least this share of the screen height


def _floor(screen: QScreen | None) -> float:
    """The smallest readable caption on ``screen``, in pixels."""
    return (screen.geometry().height() if screen is not None else 768) * CAPTION_SHARE


def names_too_long(names: Sequence[str], screen: QScreen | None, caption_px: float) -> bool:
    """Whether the full names, at a readable size, are wider than a caption's ``caption_px`` on screen."""
    font = QFont(CAPTION_FONT)
    font.setPixelSize(max(8, round(_floor(screen))))
    widest = max((QFontMetrics(font).horizontalAdvance(name) for name in names), default=0)
    return widest > caption_px


def show_if_readable(labels: Sequence[QGraphicsSimpleTextItem], image_px: float, screen: QScreen | None) -> bool:
    """Show the captions where they are readable (``image_px``: the view's image units per screen pixel);
    True when they are too small and hidden (a side tab at 1024x768): the red frames still mark the
    changed predictions, and the panel says how to read them."""
    smallest = min((CAPTION_FONT.pixelSize() * label.scale() / image_px for label in labels), default=0.0) if image_px > 0 else 0.0
    hidden = smallest + 0.5 < _floor(screen)
    for label in labels:
        if label.isVisible() == hidden:
            label.setVisible(not hidden)
    return hidden


def fit_caption(label: QGraphicsSimpleTextItem, box: tuple[float, float]) -> None:
    """Scale ``label`` so its text fits ``box`` (width, height in image pixels)."""
    rect = label.boundingRect()
    if rect.width() > 0 and rect.height() > 0:
        label.setScale(min(box[0] / rect.width(), box[1] / rect.height()))
