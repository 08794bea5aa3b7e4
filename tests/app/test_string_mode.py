"""String mode in the real window with its inference thread: a string written on the wide pad
with the mouse is read by the SDNN through the worker, shown where the digit goes and in the
SDNN panel; an empty strip, a one-digit model and the file tab's wide region behave."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from viz_app.app.string_mode import StringMode
from viz_app.opencv import cv2
from viz_app.records.frames import FrameResult
from viz_app.sources.scripted import scaled_strokes
from viz_app.sources.strip_canvas import StripCanvas
from viz_app.ui.panels.sdnn_panel import DIMMED


@pytest.fixture()
def session(lenet_session):
    lenet_session.strings = lenet_session.sources.strings  # the window's one string mode
    assert isinstance(lenet_session.strings, StringMode)
    return lenet_session


def _point(pad, x: float, y: float) -> QPoint:
    rect = pad.paper_rect()
    scale = rect.height() / pad.canvas.size
    return QPoint(round(rect.x() + x * scale), round(rect.y() + y * scale))


def write_with_mouse(pad, digits: str) -> None:
    """``digits`` written one per cell of the strip, with real mouse events."""
    for cell, digit in enumerate(digits):
        for stroke in scaled_strokes(int(digit), pad.canvas.size, steps_per_unit=20):
            points = [(x + cell * pad.canvas.size, y) for x, y in stroke]
            QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _point(pad, *points[0]))
            for point in points[1:]:
                QTest.mouseMove(pad, _point(pad, *point))
            QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _point(pad, *points[-1]))


def _results(window) -> list[FrameResult]:
    results: list[FrameResult] = []
    window.result_shown.connect(lambda result, _t: results.append(result))
    return results


def _string_on(qtbot, window) -> None:
    qtbot.mouseClick(window.pad.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.name == "sdnn", timeout=30_000)


def test_a_string_written_with_the_mouse_is_read_through_the_worker(qtbot, session) -> None:
    window = session.window
    _string_on(qtbot, window)
    window.side.setCurrentWidget(window.panel("sdnn"))
    results = _results(window)
    write_with_mouse(window.pad, "31415")
    last = window.pad.seq
    qtbot.waitUntil(lambda: bool(results) and results[-1].seq == last, timeout=40_000)
    result = results[-1]
    assert result.model == "sdnn" and result.text == "31415" and not result.empty  # read by the trained SDNN
    assert result.network_input.shape[0] == 32 and result.network_input.shape[1] > 5 * 28  # the strip
    shown = result.text or "?"
    assert window.probabilities.prediction.text() == shown  # where the digit is shown otherwise
    panel = window.panel("sdnn")
    qtbot.waitUntil(lambda: panel.record is not None and panel.record.text == result.text, timeout=10_000)
    assert panel.graphics.isVisible()
    assert np.array_equal(panel.images["input"].image, panel.record.strip)
    assert [layer.name for layer in panel.record.layers] == ["c1", "c3", "c5"]
    assert panel.images["input"].opacity() == 1.0
    window.presentation.present(window.side.indexOf(panel))  # presented: the digits read are the back row's type too
    floor = window.screen().geometry().height() / 40
    qtbot.waitUntil(lambda: panel._labels and all(label.textItem.font().pixelSize() >= floor for label in panel._labels), timeout=10_000)
    window.presentation.present(None)
    window.set_presentation(False)
    qtbot.mouseClick(window.pad.mode_buttons.button(0), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.model.name == "lenet5", timeout=30_000)  # back to the model shown before


def test_an_empty_strip_dims_the_panel_and_gives_no_answer(qtbot, session) -> None:
    window = session.window
    _string_on(qtbot, window)
    window.side.setCurrentWidget(window.panel("sdnn"))
    write_with_mouse(window.pad, "7")
    results = _results(window)
    qtbot.mouseClick(window.pad, Qt.MouseButton.RightButton, pos=_point(window.pad, 100, 100))  # right click clears
    qtbot.waitUntil(lambda: bool(results) and results[-1].empty, timeout=40_000)
    panel = window.panel("sdnn")
    qtbot.waitUntil(lambda: panel.record is not None and panel.record.empty, timeout=10_000)
    assert results[-1].text == "" and window.probabilities.prediction.text() == "–"
    assert "Write a string" in panel.message.text()
    assert all(image.opacity() == DIMMED for image in panel.images.values())


def test_a_one_digit_model_in_string_mode_says_what_to_do(qtbot, session) -> None:
    window = session.window
    _string_on(qtbot, window)
    rejected: list[str] = []
    session.inference.worker.input_rejected.connect(rejected.append)
    index = window.model_picker.findData("lenet5")
    window.model_picker.setCurrentIndex(index)
    window.model_picker.activated.emit(index)  # the user picks LeNet-5 while the pad holds a string
    qtbot.waitUntil(lambda: window.model.name == "lenet5", timeout=30_000)
    assert window.pad.string_mode  # the user's choice stands
    write_with_mouse(window.pad, "12")
    qtbot.waitUntil(lambda: bool(rejected), timeout=40_000)
    assert "reads one digit at a time" in rejected[-1]
    qtbot.waitUntil(lambda: "reads one digit at a time" in window.messages.text(), timeout=20_000)
    assert session.inference.thread.isRunning()


def test_the_file_tab_reads_a_string_in_a_wide_region(qtbot, session, tmp_path: Path) -> None:
    canvas = StripCanvas(pen_width=18)
    for cell, digit in enumerate("2468"):
        for stroke in scaled_strokes(int(digit), canvas.size):
            canvas.draw_polyline([(x + cell * canvas.size, y) for x, y in stroke])
    page = np.full((480, 640), 235, np.uint8)
    page[200:280, 40:600] -= (cv2.resize(canvas.ink, (560, 80), interpolation=cv2.INTER_AREA) * 0.8).astype(np.uint8)
    path = tmp_path / "string.png"
    cv2.imwrite(str(path), page)
    window, sources = session.window, session.sources
    results = _results(window)
    sources.open_file(str(path))
    qtbot.waitUntil(lambda: bool(results), timeout=40_000)
    qtbot.mouseClick(sources.files.panel.string_box, Qt.MouseButton.LeftButton)
    assert window.pad.string_mode and sources.camera.panel.string_box.isChecked()  # one string mode
    qtbot.waitUntil(lambda: window.model.name == "sdnn", timeout=30_000)
    # The still picture again, now that the window shows the SDNN: a result of the new model that
    # reaches the window before the model itself is dropped there, and a picture sends no more frames.
    sources.files.panel.set_string_mode(True)
    try:
        qtbot.waitUntil(lambda: results[-1].model == "sdnn" and results[-1].text is not None, timeout=40_000)
    except qtbot.TimeoutError:
        seen = [(r.model, r.seq, r.text, r.empty) for r in results[-5:]]
        raise AssertionError(f"no string read: last results {seen}; messages {window.messages.text()!r}") from None
    x, y, w, h = sources.roi
    assert w >= 4 * h and w > 0.8 * 640  # a wide region of interest
    assert results[-1].network_input.shape[1] > 3 * 28 and not results[-1].empty
    assert results[-1].text == "2468"  # the photo's string, read by the trained SDNN


def test_the_camera_in_string_mode_is_not_mirrored_and_gets_its_mirror_back(qtbot, session) -> None:
    camera = session.sources.camera
    session.window.inputs.setCurrentWidget(camera.panel)  # no camera here: the tab shows its controls all the same
    camera.panel.mirror_box.setChecked(True)  # the lecturer asked for a mirror
    assert camera.mirror
    qtbot.mouseClick(camera.panel.string_box, Qt.MouseButton.LeftButton)  # a mirrored string reads backwards
    assert camera.string_mode and not camera.mirror and not camera.panel.mirror_box.isChecked()
    assert session.window.pad.string_mode and session.sources.files.panel.string_box.isChecked()
    qtbot.mouseClick(camera.panel.string_box, Qt.MouseButton.LeftButton)
    assert not camera.string_mode and camera.mirror and camera.panel.mirror_box.isChecked()
    assert not session.window.pad.string_mode


def test_string_mode_widens_the_input_column_and_gives_it_back(qtbot, session) -> None:
    window = session.window
    before = window.columns.sizes()
    _string_on(qtbot, window)
    widened = window.columns.sizes()
    assert widened[0] >= 0.39 * sum(widened) > before[0] and widened[2] == before[2]  # the maps give the room
    assert window.pad.paper_rect().width() > 1.5 * before[0] * 0.9
    qtbot.mouseClick(window.pad.mode_buttons.button(0), Qt.MouseButton.LeftButton)
    assert window.columns.sizes() == before


def test_string_mode_lives_in_the_view_state_and_every_tab_follows_it(qtbot, session) -> None:
    """The pad's mode buttons write the view; a change of the view (as settings or a later panel
    would make it) turns the pad, the camera and the file tab together, and opens the reader."""
    window, sources = session.window, session.sources
    assert not window.view.state.string_mode and not window.pad.string_mode
    qtbot.mouseClick(window.pad.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    assert window.view.state.string_mode
    qtbot.waitUntil(lambda: window.model.name == "sdnn", timeout=30_000)
    window.view.update(string_mode=False)
    assert not window.pad.string_mode and not sources.camera.panel.string_box.isChecked()
    assert not sources.files.panel.string_box.isChecked()
    qtbot.waitUntil(lambda: window.model.name == "lenet5", timeout=30_000)  # the model of before comes back
    window.view.update(string_mode=True)
    assert window.pad.string_mode and sources.camera.panel.string_box.isChecked() and sources.files.panel.string_box.isChecked()
    qtbot.waitUntil(lambda: window.model.name == "sdnn", timeout=30_000)
