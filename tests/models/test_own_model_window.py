"""A user's model file in the real window: its classes and layers shown, remembered in the picker."""

from __future__ import annotations

from pathlib import Path

import pytest
from own_models import LABELS, write_labels, write_net
from PySide6.QtCore import QSettings

from viz_app.app.session import Session
from viz_app.state.options import RunOptions
from viz_app.ui.controls_bar import RECENT_TAG


def _open(qtbot, store: QSettings, model: str | None = None) -> Session:
    session = Session(model, RunOptions("cpu"), settings=store)
    qtbot.addWidget(session.window)
    session.window.show()
    qtbot.waitUntil(lambda: session.window.model is not None, timeout=30_000)
    return session


@pytest.mark.slow
def test_a_model_file_opens_in_the_window_and_is_offered_again_after_a_restart(qtbot, tmp_path: Path, monkeypatch, mnist_dir) -> None:
    monkeypatch.setenv("CNN_VIZ_DATA", str(mnist_dir))
    net = write_net(tmp_path)
    write_labels(tmp_path)
    (tmp_path / "net.json").write_text('{"input": "1x28x28", "classes": "labels.txt"}')
    store = QSettings(str(tmp_path / "cnn-viz.ini"), QSettings.Format.IniFormat)
    first = _open(qtbot, store, "lenet5")
    asked: list[Path] = []
    first.window.trust.ask = lambda _parent, path: asked.append(path) or True  # "Open" in the dialog
    try:
        first.window.model_requested.emit(str(net), None)
        qtbot.waitUntil(lambda: first.window.model.name == f"{net}:build", timeout=30_000)
        assert first.window.model.classes == tuple(LABELS)
        picker = first.window.model_picker
        qtbot.waitUntil(lambda: picker.currentData() == f"{net}:build", timeout=10_000)
        assert picker.currentText() == f"net.py:build  [{RECENT_TAG}]"
        assert asked == [net]
    finally:
        first.window.close()
        first.close()
    again = _open(qtbot, QSettings(store.fileName(), QSettings.Format.IniFormat))
    again.window.trust.ask = lambda _parent, path: asked.append(path) or False
    try:
        assert again.window.model.name == f"{net}:build"  # the remembered model, opened again from its file
        assert again.window.model_picker.findData(f"{net}:build") >= 0
        again.window.model_requested.emit("lenet5", None)
        qtbot.waitUntil(lambda: again.window.model.name == "lenet5", timeout=30_000)
        again.window.model_requested.emit(f"{net}:build", None)  # the same content: allowed before, not asked again
        qtbot.waitUntil(lambda: again.window.model.name == f"{net}:build", timeout=30_000)
        assert asked == [net]
    finally:
        again.window.close()
        again.close()


def test_more_models_in_the_picker_opens_a_model_file(qtbot, tmp_path: Path, monkeypatch, mnist_dir) -> None:
    from PySide6.QtWidgets import QInputDialog

    from viz_app.ui.controls_bar import MORE

    monkeypatch.setenv("CNN_VIZ_DATA", str(mnist_dir))
    net = write_net(tmp_path)
    session = _open(qtbot, QSettings(str(tmp_path / "cnn-viz.ini"), QSettings.Format.IniFormat), "lenet5")
    session.window.trust.ask = lambda _parent, _path: True  # "Open" (tests/ui/test_trust.py asks for real)
    try:
        picker = session.window.model_picker
        asked: list[str] = []
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (asked.append(a[2]) or ("  ", False)))
        more = picker.findText(MORE)
        picker.setCurrentIndex(more)
        picker.activated.emit(more)  # cancelled: the picker goes back to the model shown
        assert asked and picker.currentData() == "lenet5"
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (str(net), True))
        picker.setCurrentIndex(more)
        picker.activated.emit(more)
        qtbot.waitUntil(lambda: session.window.model.name == f"{net}:build", timeout=30_000)
        assert picker.findText(MORE) == picker.count() - 1  # "More..." stays last
    finally:
        session.window.close()
        session.close()


def test_a_dropped_onnx_file_becomes_the_model(qtbot, lenet_session, tmp_path: Path) -> None:
    import torch
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from viz_app.models import load_model

    path = tmp_path / "lenet5.onnx"
    torch.onnx.export(load_model("lenet5").model, (torch.zeros(1, 1, 32, 32),), str(path), dynamo=False, input_names=["x"], dynamic_axes={"x": {0: "n"}})
    window = lenet_session.window
    qtbot.waitExposed(window)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    centre = window.pad.mapTo(window, window.pad.rect().center())
    for kind in (QDragEnterEvent, QDragMoveEvent, QDropEvent):
        pos = QPointF(centre) if kind is QDropEvent else centre
        event = kind(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
        assert QApplication.sendEvent(window.windowHandle(), event)
    qtbot.waitUntil(lambda: window.model.name == str(path), timeout=30_000)
    assert window.model.trained and window.model.group == "Your models"
    assert window.inputs.currentIndex() != lenet_session.sources.tab_index("file")  # not opened as an input
