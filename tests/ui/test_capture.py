"""Snapshots: File > Save snapshot writes the window as drawn; a folder that cannot be written is a message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from viz_app.app.lecture import LectureTools
from viz_app.ui.capture import image_to_rgb, timestamped_path
from viz_app.ui.main_window import MainWindow


@pytest.fixture()
def tools(qtbot, tmp_path: Path) -> LectureTools:
    window = MainWindow([("lenet5", "LeNet-5", "MNIST zoo")])
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    lecture = LectureTools(window)
    lecture.folder = tmp_path / "shots"
    return lecture


def test_ctrl_s_writes_a_png_equal_to_a_grab_of_the_window(qtbot, tools: LectureTools) -> None:
    window = tools.window
    grabbed = image_to_rgb(window.grab().toImage())  # before: the saved path then shows in the status bar
    with qtbot.waitSignal(tools.snapshot_saved) as saved:
        tools.snapshot_action.trigger()
    path = Path(saved.args[0])
    assert path.parent == tools.folder and path.name.startswith("cnn-viz-") and path.suffix == ".png"
    written = image_to_rgb(QImage(str(path)))
    assert written.shape == grabbed.shape == (window.height(), window.width(), 3)
    assert np.array_equal(written, grabbed)
    assert str(path) in window.statusBar().currentMessage()


def test_snapshot_of_the_maps_is_the_maps_alone(qtbot, tools: LectureTools) -> None:
    with qtbot.waitSignal(tools.snapshot_saved) as saved:
        tools.maps_snapshot_action.trigger()
    image = QImage(saved.args[0])
    assert (image.width(), image.height()) == (tools.window.maps.width(), tools.window.maps.height())


def test_two_snapshots_in_one_second_get_two_files(tools: LectureTools) -> None:
    first, second = tools.snapshot_window(), tools.snapshot_window()
    assert first is not None and second is not None and first != second
    assert first.is_file() and second.is_file()


def test_timestamped_names(tmp_path: Path) -> None:
    from datetime import datetime

    path = timestamped_path(tmp_path, "mp4", datetime(2026, 3, 4, 5, 6, 7))
    assert path.name == "cnn-viz-20260304-050607.mp4"


def test_an_unwritable_folder_is_a_message_and_nothing_is_written(tools: LectureTools, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    tools.folder = blocker / "shots"  # cannot be created, even by root
    assert tools.snapshot_window() is None
    message = tools.window.statusBar().currentMessage()
    assert "Could not save the snapshot" in message and "Snapshot folder" in message
    assert tools.window.isVisible()  # and the app goes on
