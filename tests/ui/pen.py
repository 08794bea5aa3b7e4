"""Real input on the window for the UI tests and the screens driver: a digit drawn on the pad, a
click on a feature map."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from viz_app.sources.scripted import draw_on


def draw(window, digit: int = 3) -> None:  # noqa: ANN001
    """``digit`` drawn on the pad, stroke by stroke."""
    draw_on(window.pad, digit)


def click_map(window, layer: str, at: tuple[float, float]) -> None:  # noqa: ANN001
    """A real mouse click at the fraction ``at`` of ``layer``'s mosaic."""
    rect = window.maps.map_rect(layer)
    where = QPoint(round(rect.x() + at[0] * rect.width()), round(rect.y() + at[1] * rect.height()))
    viewport = window.maps.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, viewport.mapFromGlobal(where))
