"""A Python model file is code: the window asks before it runs, once per content, and a "Cancel"
leaves the model shown as it was, with nothing of the file run."""

from __future__ import annotations

from pathlib import Path

from own_models import NET, write_net
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from viz_app.ui.trust import CodeTrust, python_file


def answer_the_dialog(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """Click ``button`` in the modal dialog once it is up; its text goes to ``seen``."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(0, click)


def test_the_dialog_says_the_file_is_code_and_cancel_runs_nothing(qtbot, lenet_session, tmp_path: Path) -> None:
    window = lenet_session.window
    marker = tmp_path / "ran.txt"
    net = write_net(tmp_path, f"open({str(marker)!r}, 'w').write('ran')\n" + NET, "net.py")
    seen: list[str] = []
    answer_the_dialog(QMessageBox.StandardButton.Cancel, seen)
    window.model_requested.emit(str(net), None)
    assert len(seen) == 1 and "net.py is Python code and runs with your permissions" in seen[0] and str(net) in seen[0]
    assert not marker.exists() and window.view.state.model.name == "lenet5"
    assert window.model_picker.currentData() == "lenet5" and "was not opened: its code did not run" in window.messages.text()
    answer_the_dialog(QMessageBox.StandardButton.Open, seen)  # asked again: Cancel is not remembered
    window.model_requested.emit(str(net), None)
    qtbot.waitUntil(lambda: window.model.name == f"{net}:build", timeout=30_000)
    assert len(seen) == 2 and marker.read_text() == "ran"


def test_asked_once_per_content_and_again_when_the_file_changes(qtbot, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[Path] = []
    trust = CodeTrust(parent, ask=lambda _p, path: asked.append(path) or True)
    net = write_net(tmp_path, NET, "net.py")
    assert trust.allows(f"{net}:build") and trust.allows(str(net)) and asked == [net]
    net.write_text(NET + "\n# changed\n")
    assert trust.allows(str(net)) and asked == [net, net]
    assert trust.allows("lenet5") and trust.allows("torchvision:resnet18") and trust.allows(str(tmp_path / "net.onnx"))
    assert len(asked) == 2 and len(trust.trusted) == 2
    assert python_file("/a/b/net.py:make") == Path("/a/b/net.py") and python_file("net.onnx") is None

