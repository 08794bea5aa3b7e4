"""Help > Keyboard shortcuts lists every shortcut of the window; Help > About names version, device and weights."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction, QKeySequence

import viz_app
from viz_app.app.lecture import LectureTools
from viz_app.records.frames import ModelInfo
from viz_app.ui.help_dialogs import about_text
from viz_app.ui.main_window import MainWindow


@pytest.fixture()
def tools(qtbot) -> LectureTools:
    window = MainWindow([("lenet5", "LeNet-5", "MNIST zoo")])
    qtbot.addWidget(window)
    return LectureTools(window)


def _keys(sequence: QKeySequence | QKeySequence.StandardKey) -> str:
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)


def test_shortcuts_dialog_lists_every_shortcut_including_new_ones(qtbot, tools: LectureTools) -> None:
    window = tools.window
    extra = QAction("Test pattern", window, shortcut=QKeySequence("Ctrl+Alt+T"))
    window.addAction(extra)  # an action another part of the app adds later appears by itself
    dialog = tools.show_shortcuts()
    qtbot.addWidget(dialog)
    rows = dict(dialog.rows())
    assert rows["Save snapshot"] == _keys(QKeySequence.StandardKey.Save)
    assert rows["Record"] == _keys(QKeySequence("Ctrl+R"))
    assert rows["Keyboard shortcuts"] == _keys(QKeySequence("F1"))
    assert rows["Open weights"] == _keys(QKeySequence.StandardKey.Open)  # the window's own
    assert rows["Test pattern"] == _keys(QKeySequence("Ctrl+Alt+T"))
    with_keys = {a.text().replace("&", "").rstrip("…") for a in window.findChildren(QAction) if not a.shortcut().isEmpty()}
    assert set(rows) == with_keys


def test_about_names_version_device_and_weights(tools: LectureTools) -> None:
    assert viz_app.__version__ in about_text(None) and "No model" in about_text(None)
    info = ModelInfo("lenet5", "LeNet-5", "MNIST zoo", "cuda:0", tuple("0123456789"), (32, 32), 1,
                     "/opt/assets/lenet5.pt", True, accuracy=0.9912)  # fmt: skip
    tools.window.show_model(info)
    text = about_text(tools.window.model)
    assert all(part in text for part in (viz_app.__version__, "cuda:0", "/opt/assets/lenet5.pt", "LeNet-5", "99.12%"))
    untrained = about_text(ModelInfo("vgg", "VGG", "MNIST zoo", "cpu", ("0",), (32, 32), 1, "untrained weights", False))
    assert "untrained weights" in untrained and "cpu" in untrained


def test_f1_says_how_a_lecture_uses_the_keys(qtbot, tools: LectureTools) -> None:
    """F1 listed keys only: it now opens with how presenting works, and every key it names is a real shortcut."""
    dialog = tools.show_shortcuts()
    qtbot.addWidget(dialog)
    rows = dict(dialog.rows())
    assert dialog.intro.isVisible() or not dialog.isVisible()
    for name, keys in (("Present this panel", "Shift+F11"), ("Next panel", "PgDown"), ("Previous panel", "PgUp"), ("The maps", "Home")):
        assert rows[name] == keys and keys.replace("PgDown", "PageDown").replace("PgUp", "PageUp") in dialog.intro.text()
