"""Settings that survive a restart, through a temporary store (never the user's own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from viz_app.app.session import Session
from viz_app.app.settings import Settings, read_settings, write_settings
from viz_app.records.frames import NormMode
from viz_app.state.options import RunOptions

MODELS = ("lenet5", "vgg")


@pytest.fixture()
def store(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "cnn-viz.ini"), QSettings.Format.IniFormat)


def test_settings_round_trip(store: QSettings) -> None:
    saved = Settings(geometry=b"\x01\x02", state=b"\x03", model="vgg", layers={"vgg": ("features.0", "features.3")},
                     colour_mode="fixed", pen_width=30, side_tab="Cost", source="camera", camera_index=1,
                     resolution=(1280, 720), roi=(10, 20, 300, 300), snapshot_folder="/tmp/x", record_format="gif")  # fmt: skip
    write_settings(store, saved)
    again = QSettings(store.fileName(), QSettings.Format.IniFormat)
    assert read_settings(again, MODELS) == (saved, [])


def test_garbage_values_are_ignored_one_by_one(store: QSettings) -> None:
    Path(store.fileName()).write_text(
        "[General]\nmodel=resnet9000\npen_width=fat\nresolution=[640, -480]\nroi={not json\n"
        "layers=[1, 2]\ncolour_mode=rainbow\nrecord_format=avi\ngeometry=12\n"
        "side_tab=Cost\ncamera_index=2\nsomething_else=from another app\n"
    )  # fmt: skip
    settings, ignored = read_settings(QSettings(store.fileName(), QSettings.Format.IniFormat), MODELS)
    assert settings == Settings(side_tab="Cost", camera_index=2)  # the good values still count
    names = " ".join(ignored)
    for name in ("model", "pen width", "resolution", "roi", "layers", "colour mode", "record format", "geometry"):
        assert name in names
    assert "resnet9000" in names


@pytest.fixture()
def lenet_store(store: QSettings, monkeypatch, mnist_dir) -> QSettings:
    monkeypatch.setenv("CNN_VIZ_DATA", str(mnist_dir))
    return store


def _open(qtbot, store: QSettings) -> Session:
    session = Session(None, RunOptions("cpu"), settings=store)
    qtbot.addWidget(session.window)
    session.window.show()
    qtbot.waitUntil(lambda: session.window.model is not None, timeout=30_000)
    return session


@pytest.mark.slow
def test_settings_survive_a_restart(qtbot, lenet_store: QSettings) -> None:
    first = _open(qtbot, lenet_store)
    window = first.window
    assert window.model.name == "lenet5"  # nothing saved yet
    qtbot.waitUntil(lambda: len(window.layer_picker.chosen()) > 2, timeout=10_000)
    layers = window.layer_picker.chosen()[:2]
    with qtbot.waitSignal(window.layers_requested):
        window.layer_picker.set_chosen(layers)
    window.norm_picker.setCurrentIndex(window.norm_picker.findData(NormMode.FIXED.value))
    window.pen_width.setValue(33)
    window.side.setCurrentIndex(1)
    side_title = window.side.tabText(1)
    window.showNormal()
    window.setGeometry(40, 50, 1000, 700)
    window.restoreGeometry(window.saveGeometry())  # as the platform fits it to its screen
    geometry = window.geometry()
    window.close()
    first.close()

    second = _open(qtbot, lenet_store)
    window = second.window
    try:
        assert second.geometry_restored and window.size() == geometry.size()
        # The offscreen screen (800x600) is smaller than the window's minimum size, so Qt nudges
        # a restored window back onto it by a few pixels (the frame margin) each time.
        assert abs(window.x() - geometry.x()) <= 4 and abs(window.y() - geometry.y()) <= 4
        assert window.model.name == "lenet5"
        assert window.norm_picker.currentData() == NormMode.FIXED.value
        assert window.pen_width.value() == 33
        assert window.side.tabText(window.side.currentIndex()) == side_title
        qtbot.waitUntil(lambda: window.layer_picker.chosen() == layers, timeout=10_000)
        assert not window.messages.text()  # nothing was ignored
    finally:
        window.close()
        second.close()


def test_a_foreign_settings_file_is_ignored_with_a_message(qtbot, lenet_store: QSettings) -> None:
    Path(lenet_store.fileName()).write_text("[General]\nmodel=resnet9000\npen_width=9999\nside_tab=Gone\nsource=radio\n")
    session = _open(qtbot, QSettings(lenet_store.fileName(), QSettings.Format.IniFormat))
    window = session.window
    try:
        assert window.model.name == "lenet5"  # the default instead of the unknown model
        assert window.pen_width.value() != 9999
        message = window.messages.text()
        assert "ignored" in message and all(part in message for part in ("resnet9000", "9999", "Gone"))
        session.remembered.apply_source()
        assert "radio" in window.messages.text()
        assert window.inputs.currentIndex() == session.sources.tab_index("pad")
    finally:
        window.close()
        session.close()


def test_reset_layout_opens_maximised_next_time(qtbot, lenet_store: QSettings) -> None:
    first = _open(qtbot, lenet_store)
    first.window.showNormal()
    first.window.setGeometry(30, 40, 900, 700)
    with qtbot.waitSignal(first.lecture.layout_reset):
        first.lecture.reset_layout_action.trigger()
    assert first.window.isMaximized()
    first.window.close()
    first.close()
    second = _open(qtbot, lenet_store)
    try:
        assert second.geometry_restored and second.window.isMaximized()
    finally:
        second.window.close()
        second.close()


def test_out_of_range_and_wrongly_typed_values_are_named_and_dropped(store: QSettings) -> None:
    Path(store.fileName()).write_text(
        "[General]\ncamera_index=99999999999999999999\npen_width=@Point(1 2)\nresolution=[\"640\", \"480\"]\n"
        "roi=[0, 0, 0, 10]\nside_tab=1, 2\nrecord_format=gif\n"
    )  # fmt: skip
    read_from = QSettings(store.fileName(), QSettings.Format.IniFormat)
    settings, ignored = read_settings(read_from, MODELS)
    assert settings == Settings(record_format="gif")
    names = " ".join(ignored)
    assert "camera index '99999999999999999999'" in names
    for name in ("pen width", "resolution", "roi", "side tab"):
        assert name in names
    read_from.sync()  # as Qt does by itself soon after
    assert QSettings(store.fileName(), QSettings.Format.IniFormat).allKeys() == ["record_format"]  # the next start is clean


def test_a_value_the_next_start_would_refuse_is_not_written_and_the_others_are(store: QSettings) -> None:
    """A camera index past Qt's 64-bit ints made QSettings raise OverflowError at close, so nothing was saved."""
    store.setValue("camera_index", 3)
    failed = write_settings(store, Settings(camera_index=10**20, pen_width=33, record_format="gif"))
    assert failed == ["camera index 100000000000000000000 (not a whole number in 0-63)"]
    again = QSettings(store.fileName(), QSettings.Format.IniFormat)
    assert read_settings(again, MODELS) == (Settings(pen_width=33, record_format="gif"), [])  # the earlier index is gone too


class RefusingStore(QSettings):
    """A store that cannot take one key (as Qt refuses a value it cannot convert)."""

    def setValue(self, key: str, value: object) -> None:  # noqa: N802 - Qt's name
        if key == "pen_width":
            raise RuntimeError("the store refused it")
        super().setValue(key, value)


def test_a_failing_write_is_named_and_does_not_raise(tmp_path: Path) -> None:
    store = RefusingStore(str(tmp_path / "cnn-viz.ini"), QSettings.Format.IniFormat)
    assert write_settings(store, Settings(pen_width=33, side_tab="Cost")) == ["pen width 33 (the store refused it)"]
    assert read_settings(QSettings(store.fileName(), QSettings.Format.IniFormat), MODELS) == (Settings(side_tab="Cost"), [])
    unwritable = QSettings(str(tmp_path / "cnn-viz.ini" / "cnn-viz.ini"), QSettings.Format.IniFormat)  # its folder is a file
    assert write_settings(unwritable, Settings(pen_width=33)) == [f"the settings file {unwritable.fileName()} could not be written"]


def test_a_huge_camera_index_is_named_dropped_and_the_close_saves_the_rest(qtbot, lenet_store: QSettings) -> None:
    Path(lenet_store.fileName()).write_text("[General]\ncamera_index=99999999999999999999\npen_width=33\n")
    session = _open(qtbot, QSettings(lenet_store.fileName(), QSettings.Format.IniFormat))
    window = session.window
    try:
        message = window.messages.text()
        assert "ignored" in message and "camera index '99999999999999999999'" in message
        assert window.pen_width.value() == 33 and session.sources.camera.index == 0
        window.pen_width.setValue(21)
    finally:
        window.close()
        session.close()  # raised OverflowError here, and nothing was saved
    settings, ignored = read_settings(QSettings(lenet_store.fileName(), QSettings.Format.IniFormat), MODELS)
    assert ignored == [] and settings.camera_index == 0 and settings.pen_width == 21 and settings.geometry is not None


def test_a_store_that_cannot_be_written_is_one_line_and_the_close_goes_on(qtbot, lenet_store: QSettings, capsys) -> None:
    session = _open(qtbot, RefusingStore(lenet_store.fileName(), QSettings.Format.IniFormat))
    pen_width = session.window.pen_width.value()
    session.window.close()
    session.close()
    assert not session.inference.thread.isRunning()  # the close went on past the settings
    lines = [line for line in capsys.readouterr().err.splitlines() if "settings" in line]
    assert lines == [f"cnn-viz: settings not saved: pen width {pen_width} (the store refused it)"]
    settings, ignored = read_settings(QSettings(lenet_store.fileName(), QSettings.Format.IniFormat), MODELS)
    assert ignored == [] and settings.pen_width is None and settings.model == "lenet5"  # the others were saved
