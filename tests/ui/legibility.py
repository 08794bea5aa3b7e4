"""Can the back row read it? A check that walks a shown window's real widgets and graphics items.

``problems(window, presenting)`` lists, one line each, every text that
- lies (partly) outside the screen, or outside the widget that shows it (cut by an ancestor; a line
  cut at the edge of a scroll area that can scroll is reached by scrolling, and passes),
- overlaps another text,
- is smaller than 1/60 of the screen height in the normal view, 1/40 when presented,
and, when presented, an answer under 1/5 of the screen height, and every map (of ``maps``, the
feature-map panel) drawn at under 2 screen pixels per activation that does not say it is reduced. Texts are QLabels, buttons, combo
boxes, spin boxes, check boxes, and the text items of pyqtgraph's scenes (titles, captions, class
labels). Axis tick labels are painted, not items: they are not seen here.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QComboBox,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QLabel,
    QWidget,
)

NORMAL_SHARE = 1 / 60
PRESENTED_SHARE = 1 / 40
ANSWER_SHARE = 1 / 5
SLACK = 1  # pixels of rounding forgiven at an edge


def _global(widget: QWidget, rect: QRect) -> QRect:
    return QRect(widget.mapToGlobal(rect.topLeft()), rect.size())


def _clip(widget: QWidget) -> QRect:
    """The part of ``widget`` its ancestors leave on screen (global coordinates)."""
    rect = _global(widget, widget.rect())
    parent = widget.parentWidget()
    while parent is not None:
        rect &= _global(parent, parent.rect())
        parent = parent.parentWidget()
    return rect


def _scrolled(widget: QWidget) -> bool:
    """``widget`` lies in a scroll area that can scroll: a line cut at its edge is reached by scrolling."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and not isinstance(parent, QGraphicsView):
            bars = (parent.verticalScrollBar(), parent.horizontalScrollBar())
            return any(bar.isVisible() and bar.maximum() > bar.minimum() for bar in bars)
        parent = parent.parentWidget()
    return False


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and not _clip(widget).isEmpty()


def _widget_texts(window: QWidget) -> list[tuple[str, QRect, int, QWidget]]:
    """(text, its global rectangle, its pixel size, widget) of every visible text widget."""
    found = []
    for widget in window.findChildren(QWidget):
        if not _shown(widget):
            continue
        if isinstance(widget, QLabel):
            text = widget.text()
            if not text.strip() or widget.pixmap() is not None and not widget.pixmap().isNull():
                continue
            metrics = QFontMetrics(widget.font())
            if widget.wordWrap() or "<" in text:
                rect = widget.contentsRect()
            else:
                width = min(metrics.horizontalAdvance(text), widget.contentsRect().width())
                rect = _aligned(widget, width, metrics.height())
        elif isinstance(widget, (QAbstractButton, QComboBox, QAbstractSpinBox)):
            text = widget.text() if isinstance(widget, QAbstractButton) else widget.currentText() if isinstance(widget, QComboBox) else widget.text()
            if not text.strip():
                continue
            rect = widget.rect()
        else:
            continue
        found.append((text, _global(widget, rect), widget.fontInfo().pixelSize(), widget))
    return found


def _aligned(label: QLabel, width: int, height: int) -> QRect:
    """Where a one-line label draws its text inside its contents (by its alignment)."""
    box, align = label.contentsRect(), label.alignment()
    if align & Qt.AlignmentFlag.AlignHCenter:
        x = box.x() + (box.width() - width) // 2
    else:
        x = box.right() - width + 1 if align & Qt.AlignmentFlag.AlignRight else box.x()
    if align & Qt.AlignmentFlag.AlignTop:
        y = box.y()
    else:
        y = box.bottom() - height + 1 if align & Qt.AlignmentFlag.AlignBottom else box.y() + (box.height() - height) // 2
    return QRect(x, y, width, min(height, box.height()))


def _scene_texts(window: QWidget) -> list[tuple[str, QRect, float, QWidget]]:
    """(text, global rectangle, pixel height on screen, view) of every visible text item in a pyqtgraph scene."""
    found = []
    for view in window.findChildren(QGraphicsView):
        if not _shown(view) or view.scene() is None:
            continue
        viewport = view.viewport()
        for item in view.scene().items():
            if not isinstance(item, (QGraphicsTextItem, QGraphicsSimpleTextItem)) or not item.isVisible() or item.opacity() == 0:
                continue
            text = item.toPlainText() if isinstance(item, QGraphicsTextItem) else item.text()
            if not text.strip():
                continue
            box = item.boundingRect()
            if isinstance(item, QGraphicsTextItem):  # its text, not the document's margins around it
                margin = item.document().documentMargin()
                box = box.adjusted(margin, margin, -margin, -margin)
            scene_rect = item.mapRectToScene(box)
            device = view.mapFromScene(scene_rect).boundingRect()
            if not device.intersects(viewport.rect()):
                continue  # scrolled or ranged out of view, not drawn
            transform = item.deviceTransform(view.viewportTransform())
            scale = math.sqrt(abs(transform.determinant()))  # screen pixels per item pixel, turned or not
            found.append((text.replace("\n", " / "), _global(viewport, device), _text_px(item) * scale, view))
    return found


def _text_px(item: QGraphicsTextItem | QGraphicsSimpleTextItem) -> float:
    """The pixel size of ``item``'s type in its own coordinates. An HTML text item (pyqtgraph's titles
    size theirs in a span) is measured by its lines' height, a plain one by its font."""
    font = item.font()
    px = font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 4 / 3
    if isinstance(item, QGraphicsSimpleTextItem):
        return px
    document = item.document()
    lines = max(1, sum(document.findBlockByNumber(b).layout().lineCount() for b in range(document.blockCount())))
    line_height = (item.boundingRect().height() - 2 * document.documentMargin()) / lines  # the margins, not the text
    return line_height * px / QFontMetrics(font).height()


def problems(window: QWidget, presenting: bool, answer: QLabel | None = None, maps: Any = None) -> list[str]:
    """Every legibility defect of ``window`` as it is shown now, one line each."""
    screen = window.screen().geometry()
    floor = screen.height() * (PRESENTED_SHARE if presenting else NORMAL_SHARE)
    found: list[str] = []
    texts = [*_widget_texts(window), *_scene_texts(window)]
    for text, rect, px, widget in texts:
        name = f"{text[:40]!r} ({type(widget).__name__})"
        if not screen.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(rect):
            found.append(f"{name} at {rect.getRect()} is off the screen {screen.getRect()}")
        holder = _clip(widget.viewport() if isinstance(widget, QGraphicsView) else widget)
        if not holder.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(rect) and not _scrolled(widget):
            found.append(f"{name} at {rect.getRect()} is cut to {holder.getRect()}")
        if px + 0.5 < floor:
            found.append(f"{name} is {px:.1f} px, under {floor:.1f} px (1/{round(screen.height() / floor)} of the screen)")
    rects = [(text, QRectF(rect).adjusted(1, 1, -1, -1)) for text, rect, _, _ in texts]
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1 :]:
            if ra.intersects(rb):
                found.append(f"{a[:30]!r} overlaps {b[:30]!r}")
    for name in maps.layer_names if maps is not None and maps.isVisible() else ():
        cell = maps.cell(name)
        if cell is not None and cell.tile_width and cell.zoom < 2 and "(reduced)" not in cell.title.text:  # as drawn, cut or not
            found.append(f"map {name} is drawn at {cell.zoom:.2f} screen pixels per activation and does not say it is reduced")
    if presenting and answer is not None and answer.isVisible():
        ink = QFontMetrics(answer.font()).tightBoundingRect(answer.text()).height()
        if ink < screen.height() * ANSWER_SHARE:
            found.append(f"the answer {answer.text()!r} is {ink} px high, under 1/5 of {screen.height()} px")
    return found
