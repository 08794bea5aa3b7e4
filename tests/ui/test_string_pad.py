"""The drawing pad's string mode: a wide canvas chosen with its own button, drawn on with the
mouse, its frames marked as a string; a string that runs off the canvas is said so."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from viz_app.records.frames import Frame, Layout
from viz_app.sources.strip_canvas import STRING_CELLS
from viz_app.ui.drawing_pad import DrawingPad


@pytest.fixture()
def pad(qtbot) -> DrawingPad:
    pad = DrawingPad()
    qtbot.addWidget(pad)
    pad.resize(600, 400)
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def widget_point(pad: DrawingPad, x: float, y: float) -> QPoint:
    """Canvas pixels -> the pad widget's pixels."""
    rect = pad.paper_rect()
    scale = rect.height() / pad.canvas.size
    return QPoint(round(rect.x() + x * scale), round(rect.y() + y * scale))


def mouse_stroke(pad: DrawingPad, points: list[tuple[float, float]]) -> None:
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, widget_point(pad, *points[0]))
    for point in points[1:]:
        QTest.mouseMove(pad, widget_point(pad, *point))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, widget_point(pad, *points[-1]))


def test_the_string_button_gives_a_wide_canvas_whose_frames_are_strings(qtbot, pad) -> None:
    frames: list[Frame] = []
    modes: list[bool] = []
    pad.frame_ready.connect(frames.append)
    pad.string_mode_changed.connect(modes.append)
    qtbot.mouseClick(pad.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    assert pad.string_mode and modes == [True]
    assert frames[-1].layout is Layout.STRING and frames[-1].image.shape == (280, 280 * STRING_CELLS)
    rect = pad.paper_rect()
    assert rect.width() == pytest.approx(rect.height() * STRING_CELLS, rel=0.01)
    assert rect.top() >= pad.mode_bar.geometry().bottom()  # the paper is never under the buttons
    qtbot.mouseClick(pad.mode_buttons.button(0), Qt.MouseButton.LeftButton)
    assert not pad.string_mode and modes == [True, False]
    assert frames[-1].layout is Layout.DIGIT and frames[-1].image.shape == (280, 280)


def test_mouse_strokes_land_along_the_strip_and_each_canvas_keeps_its_ink(qtbot, pad) -> None:
    mouse_stroke(pad, [(140, 60), (140, 220)])  # a "1" on the square pad
    square = pad.current_frame().image.copy()
    qtbot.mouseClick(pad.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    assert not pad.current_frame().image.any()  # the strip starts blank
    mouse_stroke(pad, [(1260, 60), (1260, 220)])  # a "1" in the last of the five cells
    strip = pad.current_frame().image
    columns = np.flatnonzero(strip.any(axis=0))
    assert columns.min() > 1230 and columns.max() < 1290
    assert pad.current_frame().layout is Layout.STRING
    qtbot.mouseClick(pad.mode_buttons.button(0), Qt.MouseButton.LeftButton)
    assert np.array_equal(pad.current_frame().image, square)


def test_a_string_running_off_the_strip_is_marked_on_the_pad(qtbot, pad) -> None:
    qtbot.mouseClick(pad.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    mouse_stroke(pad, [(700, 140), (800, 140)])
    inside = pad.grab().toImage()
    mouse_stroke(pad, [(1300, 140), (1399, 140)])  # to the right edge: the string may go on
    touching = pad.grab().toImage()
    rect = pad.paper_rect()
    x, y = round(rect.left()) + 1, round(rect.center().y())
    red = (214, 69, 65)
    assert inside.pixelColor(x, y).getRgb()[:3] != red
    assert touching.pixelColor(x, y).getRgb()[:3] == red
    qtbot.mouseClick(pad, Qt.MouseButton.RightButton, pos=widget_point(pad, 700, 140))  # the right button clears
    assert pad.grab().toImage().pixelColor(x, y).getRgb()[:3] != red


def test_the_pen_width_holds_on_both_canvases(qtbot, pad) -> None:
    pad.set_pen_width(8)
    qtbot.mouseClick(pad.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    assert pad.canvas.pen_width == 8
    mouse_stroke(pad, [(100, 50), (100, 230)])
    widths = (pad.current_frame().image[140] > 0).sum()
    assert 6 <= widths <= 12
