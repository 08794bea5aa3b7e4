"""The sources wired into the real window and inference thread (offscreen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from viz_app.app.session import attach_sources
from viz_app.bench.synthetic import synth_photo, write_digit_video
from viz_app.opencv import cv2


@pytest.fixture()
def session(lenet_session):
    return lenet_session


def _shown(qtbot, session, condition, timeout: int = 10_000) -> list:
    results: list = []
    session.window.result_shown.connect(lambda r, t: results.append((r, t)))
    qtbot.waitUntil(lambda: condition(results), timeout=timeout)
    return results


def test_photo_file_goes_through_the_window_to_the_right_digit(qtbot, session, tmp_path: Path, mnist_test) -> None:
    photo, roi = synth_photo(mnist_test.images[0], np.random.default_rng(0))
    x, y, w, h = roi
    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), cv2.cvtColor(photo[y : y + h, x : x + w], cv2.COLOR_RGB2BGR))
    results = []
    session.window.result_shown.connect(lambda r, t: results.append(r))
    controller = attach_sources(session, f"image:{path}")
    assert session.window.inputs.currentIndex() == controller.tab_index("file")
    qtbot.waitUntil(lambda: any(not r.empty for r in results), timeout=10_000)
    result = [r for r in results if not r.empty][-1]
    assert result.classes[result.prediction] == str(mnist_test.labels[0])
    assert result.network_input.shape == (32, 32)


@pytest.mark.slow
def test_video_source_feeds_the_window_and_ends_with_a_message(qtbot, session, tmp_path: Path, mnist_test) -> None:
    path = tmp_path / "clip.avi"
    write_digit_video(path, mnist_test.images[:2], fps=30, frames=30)
    messages = []
    controller = attach_sources(session, f"video:{path}")
    controller.source_message.connect(messages.append)
    results = _shown(qtbot, session, lambda r: len(r) >= 10)
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert "ended" in messages[0]
    ages = np.array([t - r.t_event for r, t in results])
    assert (ages > 0).all()  # shown after it was captured (how long after: `cnn-viz bench source video:PATH`)
    seqs = [r.seq for r, _ in results]
    assert seqs == sorted(set(seqs))  # the newest frame wins: none shown twice, none older after a newer one
    video = controller.active
    assert video is not None and controller.frames_in >= 1 and controller.frames_in + video.dropped == 30  # shown or skipped to keep up
    assert controller.files.panel.view.roi() == (0, 0, 320, 240)


def test_no_camera_is_a_message_and_the_pad_still_works(qtbot, session) -> None:
    controller = attach_sources(session, "camera:0")
    assert session.window.inputs.currentIndex() == controller.tab_index("camera")
    qtbot.waitUntil(lambda: "Could not open camera 0" in controller.camera.panel.status.text(), timeout=20_000)
    assert controller.camera.source is not None and controller.camera.source.running  # still retrying
    session.window.inputs.setCurrentIndex(0)  # back to the pad: the camera is released
    assert not controller.camera.source.running
    results = []
    session.window.result_shown.connect(lambda r, t: results.append(r))
    pad = session.window.pad
    pad.stroke_begin(140, 40)
    pad.stroke_to(140, 240)
    pad.stroke_end()
    qtbot.waitUntil(lambda: any(not r.empty for r in results), timeout=10_000)


def test_mnist_browser_tab_jumps_to_a_mistake_and_shows_both_labels(qtbot, session) -> None:
    controller = attach_sources(session, "mnist")
    qtbot.waitUntil(lambda: "True label: 7" in controller.mnist.panel.verdict.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "model says: " in controller.mnist.panel.verdict.text(), timeout=10_000)
    assert "✓" in controller.mnist.panel.verdict.text()
    controller.mnist.panel.mistake_button.click()
    index = controller.mnist.browser.index
    assert index > 0 and controller.mnist.browser.prediction() != controller.mnist.browser.label
    qtbot.waitUntil(lambda: controller.mnist.panel.index_box.value() == index, timeout=20_000)
    qtbot.waitUntil(lambda: "✗" in controller.mnist.panel.verdict.text(), timeout=10_000)
    assert f"True label: {controller.mnist.browser.label}" in controller.mnist.panel.verdict.text()


def test_bad_spec_and_unreadable_file_are_messages(qtbot, session, tmp_path: Path) -> None:
    controller = attach_sources(session, "webcam")
    assert "unknown source" in session.window.messages.text()
    assert session.window.inputs.currentIndex() == 0
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    messages = []
    controller.source_message.connect(messages.append)
    controller.open_file(str(broken))
    qtbot.waitUntil(lambda: bool(messages), timeout=20_000)
    assert "broken.png" in messages[0]


def test_dropping_a_file_on_the_window_opens_it(qtbot, session, tmp_path: Path, mnist_test) -> None:
    photo, _ = synth_photo(mnist_test.images[1], np.random.default_rng(1))
    path = tmp_path / "dropped.png"
    cv2.imwrite(str(path), photo)
    controller = session.sources
    session.window.show()
    qtbot.waitExposed(session.window)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    # As the platform delivers a drop: to the window's native QWindow, over the drawing pad.
    centre = session.window.pad.mapTo(session.window, session.window.pad.rect().center())
    for kind in (QDragEnterEvent, QDragMoveEvent, QDropEvent):
        pos = QPointF(centre) if kind is QDropEvent else centre
        event = kind(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
        assert QApplication.sendEvent(session.window.windowHandle(), event)
        assert event.isAccepted()
    assert session.window.inputs.currentIndex() == controller.tab_index("file")
    qtbot.waitUntil(lambda: controller.files.images is not None and controller.files.images.current == path, timeout=20_000)


def test_camera_tab_roi_freeze_and_mirror(qtbot, session, tmp_path: Path, mnist_test) -> None:
    from PySide6.QtTest import QTest

    path = tmp_path / "camera.avi"
    write_digit_video(path, mnist_test.images[:2], fps=30, frames=60)
    controller = session.sources
    session.window.show()
    qtbot.waitExposed(session.window)
    controller.camera.index = str(path)  # a file stands in for the webcam
    controller.camera.resolution = None
    session.window.inputs.setCurrentIndex(controller.tab_index("camera"))
    camera = controller.camera.source
    assert camera is not None and not camera.mirror  # the network sees what the camera sees: digits held up read as written
    panel = controller.camera.panel
    panel.set_state((1280, 720), True, False)
    assert panel.resolution_picker.currentText() == "1280x720" and panel.mirror_box.isChecked()
    panel.resolution_picker.activated.emit(1)
    assert controller.camera.resolution == camera.resolution == (640, 480)
    camera.stall_s = 60  # the end of the file is not an unplugged camera here
    view = controller.camera.panel.view
    qtbot.waitUntil(lambda: view.roi() is not None, timeout=10_000)
    assert view.roi() == (88, 48, 144, 144)  # the default: a centred square, 60% of the height
    view.set_roi((10, 20, 100, 90))
    assert controller.roi == (10, 20, 100, 90)
    QTest.keyClick(session.window, Qt.Key.Key_Space)
    assert camera.frozen and controller.camera.panel.freeze_button.isChecked()
    QTest.keyClick(session.window, Qt.Key.Key_Space)
    assert not camera.frozen
    assert not controller.files.panel.pause_button.isChecked()  # the hidden tab's Space did nothing
    controller.camera.panel.mirror_box.setChecked(False)
    controller.camera.panel.mirror_box.setChecked(True)
    assert camera.mirror  # mirrored on request
    session.window.inputs.setCurrentIndex(0)
    assert not camera.running


def test_space_pauses_a_video_on_the_file_tab(qtbot, session, tmp_path: Path, mnist_test) -> None:
    from PySide6.QtTest import QTest

    path = tmp_path / "clip.avi"
    write_digit_video(path, mnist_test.images[:2], fps=30, frames=60)
    controller = session.sources
    session.window.show()
    qtbot.waitExposed(session.window)
    controller.files.panel.loop_box.setChecked(True)
    controller.open_file(str(path))
    video = controller.files.video
    assert video is not None and video.loop
    qtbot.waitUntil(lambda: video.frames > 3, timeout=10_000)
    QTest.keyClick(session.window, Qt.Key.Key_Space)
    assert video.frozen and controller.files.panel.pause_button.text() == "Paused"
    QTest.keyClick(session.window, Qt.Key.Key_Space)
    assert not video.frozen


def test_a_remembered_roi_is_put_on_the_first_camera_frame_it_fits(qtbot, session, tmp_path: Path, mnist_test) -> None:
    path = tmp_path / "camera.avi"
    write_digit_video(path, mnist_test.images[:2], fps=30, frames=60)
    controller = session.sources
    controller.camera.index = str(path)  # a file stands in for the webcam
    controller.camera.saved_roi = (10, 20, 100, 90)
    controller.show("camera")
    controller.camera.source.stall_s = 60
    view = controller.camera.panel.view
    qtbot.waitUntil(lambda: view.roi() == (10, 20, 100, 90), timeout=10_000)
    assert controller.roi == (10, 20, 100, 90)  # and photos go to the network with it
    assert controller.camera.saved_roi is None  # put once: moving it later is the user's
