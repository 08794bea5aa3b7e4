"""The lecture hall on the real window: presentation view, freeze, the empty input, the pad's placeholder."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QLabel

from viz_app.sources.scripted import scaled_strokes
from viz_app.ui.stage import INPUT_COLUMN


def _draw(window, digit: int = 3) -> None:
    for stroke in scaled_strokes(digit, window.pad.canvas.size, steps_per_unit=8):
        window.pad.stroke_begin(*stroke[0])
        for point in stroke[1:]:
            window.pad.stroke_to(*point)
        window.pad.stroke_end()


def _shown_digit(qtbot, window, digit: int = 3) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # the keys below go to the active window's shortcuts
    _draw(window, digit)
    qtbot.waitUntil(lambda: window.probabilities.prediction.text() == str(digit), timeout=10_000)


def _layout(window) -> tuple:
    """The columns' widths and which controls show (the offscreen platform may hand the window back a
    few pixels taller; tests/ui/test_screens_xserver.py compares every map's place on a real X server)."""
    visible = tuple(w.isVisible() for w in (window.controls, window.side, window.statusBar(), window.menuBar(), window.colour_scale))
    return tuple(window.columns.sizes()), visible, window.width()


@pytest.mark.slow
def test_presentation_is_large_and_esc_restores_the_layout(qtbot, lenet_session) -> None:
    window = lenet_session.window
    window.resize(window.screen().geometry().size() * 0.8)  # a window on the screen it will fill
    _shown_digit(qtbot, window)
    qtbot.wait(300)
    before, normal_c1 = _layout(window), window.maps.map_rect("c1")
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=20_000)
    _draw(window)
    qtbot.wait(300)
    height = window.screen().geometry().height()
    assert window.presenting and not window.controls.isVisible() and not window.side.isVisible()
    controls = [w.text() for w in window.findChildren(QAbstractButton) if w.isVisible()]
    assert not controls, f"buttons left on the presented screen: {controls}"  # "One digit / A string" were
    assert window.maps.map_rect("c1").width() > normal_c1.width()
    assert window.maps.title_font_px() >= height / 40
    answer = window.probabilities.prediction
    ink = QFontMetrics(answer.font()).tightBoundingRect(answer.text()).height()
    assert ink >= height / 5, f"the answer's digit is {ink} px high on a {height} px screen"  # the digit, not its line
    assert answer.geometry().height() >= ink and window.probabilities.rect().contains(answer.geometry())
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.text().strip() and label is not window.probabilities.prediction:
            assert label.fontInfo().pixelSize() >= height / 40 - 1, label.text()
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # leaves presentation, does not clear the pad
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=20_000)
    assert not window.presenting and not window.pad.canvas.is_blank
    qtbot.waitUntil(lambda: not window.presentation.settling, timeout=60_000)  # the normal view is back
    assert _layout(window) == before


def test_freeze_holds_the_panels_while_input_goes_on(qtbot, lenet_session) -> None:
    window = lenet_session.window
    _shown_digit(qtbot, window, 3)
    with qtbot.waitSignal(window.freeze_toggled) as toggled:
        qtbot.keyClick(window, Qt.Key.Key_Space)
    assert toggled.args == [True] and window.frozen and window.frozen_label.isVisible()
    shown, held_image = window.maps.shown, window.maps.cell_image("c1").copy()
    window.pad.clear()
    _draw(window, 7)
    qtbot.waitUntil(lambda: window.held_result is not None and window.held_result.seq == window.pad.seq, timeout=10_000)
    assert window.maps.shown == shown and window.probabilities.prediction.text() == "3"
    np.testing.assert_array_equal(window.maps.cell_image("c1"), held_image)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not window.frozen and not window.frozen_label.isVisible()
    assert window.maps.shown == shown + 1 and window.probabilities.prediction.text() == "7"


def test_empty_pad_dims_the_maps_behind_a_prompt(qtbot, lenet_session) -> None:
    window = lenet_session.window
    _shown_digit(qtbot, window)
    assert not window.maps.empty and not window.maps.prompt.isVisible()
    window.pad.clear()
    qtbot.waitUntil(lambda: window.maps.empty, timeout=10_000)
    assert window.maps.prompt.isVisible() and "draw a digit" in window.maps.prompt.text().lower()
    image = window.maps.cell_image("c1")
    assert image is not None and image.min() == image.max()  # no response to a blank image
    _draw(window)
    qtbot.waitUntil(lambda: not window.maps.empty, timeout=10_000)
    assert not window.maps.prompt.isVisible() and window.maps.cell_image("c1").max() > window.maps.cell_image("c1").min()


def test_placeholder_goes_under_the_first_stroke(qtbot, lenet_session) -> None:
    window = lenet_session.window
    pad = window.pad
    window.pad.clear()
    qtbot.wait(50)
    blank = pad.grab().toImage()
    corner = pad.paper_rect().toRect().adjusted(4, 4, -4, -4)
    pad.stroke_begin(20, 20)  # a dot far from the placeholder text
    pad.stroke_to(22, 22)
    qtbot.wait(50)
    drawn = pad.grab().toImage()
    centre = corner.center()
    text_row = [drawn.pixelColor(x, centre.y()).lightness() for x in range(corner.left() + 40, corner.right() - 40)]
    assert min(text_row) > 240, "the placeholder text is still drawn in the middle of the pad"
    assert min(blank.pixelColor(x, centre.y()).lightness() for x in range(corner.left() + 40, corner.right() - 40)) < 240


def test_ctrl_plus_and_minus_scale_the_text_and_ctrl_0_resets(qtbot, lenet_session) -> None:
    window = lenet_session.window
    _shown_digit(qtbot, window)
    titles, answer, label = window.maps.title_font_px(), window.probabilities.prediction.font().pixelSize(), window.font().pixelSize()
    qtbot.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.maps.title_font_px() > titles and window.font().pixelSize() > label
    assert window.probabilities.prediction.font().pixelSize() > answer
    side_text = window.panel("augment").reroll  # a side panel's own text follows too (the style sheet had stopped it)
    assert side_text.fontInfo().pixelSize() == window.font().pixelSize() > label
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert (window.maps.title_font_px(), window.font().pixelSize()) == (titles, label)
    for _ in range(6):  # smaller, but never under 1/60 of the screen: the back row still reads it
        qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    floor = window.screen().geometry().height() / 60
    assert window.presentation.text_scale < 1 and floor <= window.maps.title_font_px() <= titles
    assert window.font().pixelSize() >= floor


def test_present_on_a_listed_screen(qtbot, lenet_session) -> None:
    from PySide6.QtGui import QGuiApplication

    window = lenet_session.window
    window.activateWindow()
    menu = window.presentation.screens_menu
    menu.aboutToShow.emit()
    assert len(menu.actions()) == len(QGuiApplication.screens()) >= 1
    menu.actions()[0].trigger()
    assert window.presenting and window.screen() is QGuiApplication.screens()[0]
    window.set_presentation(False)
    assert not window.presenting


@pytest.mark.parametrize("size", [(1024, 768), (1280, 720)])
def test_every_tab_is_one_click_away_and_stays_put(qtbot, lenet_session, size) -> None:
    """No tab hides behind scroll arrows, and choosing one does not move the others under the mouse."""
    window = lenet_session.window
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0], timeout=5_000)
    qtbot.wait(200)
    for tabs in (window.side, window.inputs):
        assert tabs.count() >= 5
        places = [tabs.tab_button(i).mapTo(window, tabs.tab_button(i).rect().topLeft()) for i in range(tabs.count())]
        for i in range(tabs.count()):
            button = tabs.tab_button(i)
            inside = window.rect().contains(button.mapTo(window, button.rect().bottomRight()))
            assert button.isVisible() and inside and button.width() >= button.sizeHint().width(), tabs.tabText(i)
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            assert tabs.currentIndex() == i, tabs.tabText(i)
            now = [tabs.tab_button(j).mapTo(window, tabs.tab_button(j).rect().topLeft()) for j in range(tabs.count())]
            assert now == places, f"choosing {tabs.tabText(i)!r} moved the tabs"
        tabs.setCurrentIndex(0)


def test_a_side_panel_is_presented_beside_the_answer_and_pages_on(qtbot, lenet_session) -> None:
    """Shift+F11 presents the side tab in view; PageDown/PageUp walk maps -> each panel; Home: the maps; Esc: as before."""
    window = lenet_session.window
    window.resize(window.screen().geometry().size() * 0.8)
    _shown_digit(qtbot, window)
    window.side.setCurrentWidget(window.panel("augment"))
    qtbot.wait(300)
    before = _layout(window)
    qtbot.keyClick(window, Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=20_000)
    width = window.screen().geometry().width()
    augment = window.panel("augment")
    qtbot.waitUntil(lambda: augment.width() >= 0.6 * width, timeout=10_000)
    assert window.presentation.panel == window.side.indexOf(augment)
    assert not window.maps.isVisible() and not window.pad.isVisible() and not window.side.tabBar().isVisible()
    assert window.probabilities.prediction.isVisible() and window.probabilities.prediction.text() == "3"
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert window.side.currentIndex() == window.side.indexOf(augment) + 1 and window.presentation.panel == window.side.currentIndex()
    qtbot.keyClick(window, Qt.Key.Key_Home)
    qtbot.waitUntil(lambda: window.maps.isVisible(), timeout=10_000)
    assert window.presentation.panel is None and not window.side.isVisible() and window.presenting
    qtbot.keyClick(window, Qt.Key.Key_PageUp)  # from the maps back to the last side tab
    assert window.presentation.panel == window.side.count() - 1
    qtbot.keyClick(window, Qt.Key.Key_Home)
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # after the maps: the input column (the Demo's curve, the camera)
    assert window.presentation.panel == INPUT_COLUMN and window.pad.isVisible() and not window.maps.isVisible()
    qtbot.waitUntil(lambda: window.left.width() >= 0.6 * width, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=20_000)
    qtbot.waitUntil(lambda: not window.presentation.settling, timeout=60_000)
    assert window.side.isVisible() and window.side.tabBar().isVisible() and window.maps.isVisible()
    assert window.right.indexOf(window.side) == 1
    assert _layout(window) == before


def test_f11_from_a_side_tab_presents_that_panel(qtbot, lenet_session) -> None:
    window = lenet_session.window
    _shown_digit(qtbot, window)
    augment = window.panel("augment")
    window.side.setCurrentWidget(augment)
    augment.reroll.setFocus()
    qtbot.waitUntil(lambda: window.focusWidget() is augment.reroll, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=20_000)
    assert window.presentation.panel == window.side.indexOf(augment) and augment.isVisible() and not window.maps.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen() and not window.presentation.settling, timeout=60_000)
    window.pad.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F11)  # from the pad: the maps, as ever
    qtbot.waitUntil(lambda: window.isFullScreen(), timeout=20_000)
    assert window.presentation.panel is None and window.maps.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen() and not window.presentation.settling, timeout=60_000)
