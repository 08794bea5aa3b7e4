"""How large the window's type is: the shares of the screen height a hall needs, and the sizes
they give for a screen, a text scale and a view (normal or presented)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QFont, QFontMetrics

LABEL_SHARE = 1 / 40  # presentation: every label at least this share of the screen height
NORMAL_LABEL_SHARE = 1 / 60  # the normal view: every label at least this share (12 px type was under it at 1024x768)
ANSWER_SHARE = 1 / 5  # presentation: the predicted class's ink at least this share of the screen height
BASE_TITLE_PX = 12  # the map titles' pixel size in the normal view at text scale 1
BASE_ANSWER_PX = 86  # the predicted class's pixel size in the normal view at text scale 1


@dataclass(frozen=True)
class TypeSizes:
    """Pixel sizes of the window's labels, the maps' titles and the answer."""

    label: int
    title: int
    answer: int


def type_sizes(base: QFont, scale: float, screen_height: int, presenting: bool) -> TypeSizes:
    """The sizes for ``base`` type scaled by ``scale`` on a screen ``screen_height`` high: at least
    1/60 of it in the normal view; presented, 1/40 and an answer whose digit is a fifth of it."""
    label = round(base.pointSizeF() * 4 / 3 * scale) if base.pointSizeF() > 0 else round(13 * scale)
    title, answer = round(BASE_TITLE_PX * scale), round(BASE_ANSWER_PX * scale)
    floor = _ceil(screen_height * (LABEL_SHARE if presenting else NORMAL_LABEL_SHARE))
    label, title = max(label, floor), max(title, floor)
    if presenting:
        answer = max(answer, _ceil(screen_height * ANSWER_SHARE / digit_ink_share()))
    return TypeSizes(label, title, answer)


def digit_ink_share() -> float:
    """How tall a digit's ink is, as a share of the bold font's pixel size (about 0.7): the answer's
    digit itself, not its line, is to be a fifth of the screen high."""
    metrics = QFontMetrics(_bold(100))
    return min(metrics.tightBoundingRect(digit).height() for digit in "0123456789") / 100  # the shortest digit


def answer_width(answer_px: int) -> int:
    """The width a one-digit answer of ``answer_px`` pixels needs, with the panel's margins."""
    return QFontMetrics(_bold(answer_px)).horizontalAdvance("8") + 40


def _bold(px: int) -> QFont:
    font = QFont()
    font.setBold(True)
    font.setPixelSize(px)
    return font


def _ceil(value: float) -> int:
    """``value`` rounded up (a share of the screen that must be reached, not nearly)."""
    return int(-(-value // 1))
