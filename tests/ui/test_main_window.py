"""The main window on its own (no worker): download progress, messages, model display."""

from viz_app.records.frames import ModelInfo
from viz_app.ui.main_window import MainWindow

MODELS = [("lenet5", "LeNet-5", "MNIST zoo"), ("imagenet_resnet18", "ResNet-18", "ImageNet")]


def _window(qtbot) -> MainWindow:
    window = MainWindow(MODELS)
    qtbot.addWidget(window)
    window.show()
    return window


def test_download_progress_shows_and_hides(qtbot):
    window = _window(qtbot)
    window.show_download("imagenet_resnet18", 5 << 20, 10 << 20)
    assert window.download.isVisible() and window.download.value() == 500
    assert "5 of 10 MB" in window.download.format()
    window.show_download("imagenet_resnet18", 3 << 20, 0)  # size unknown: a busy bar
    assert window.download.maximum() == 0
    window.show_download("imagenet_resnet18", 10 << 20, 10 << 20)
    assert not window.download.isVisible()


def test_model_picker_is_grouped_and_requests_switches(qtbot):
    window = _window(qtbot)
    names = [window.model_picker.itemData(i) for i in range(window.model_picker.count())]
    assert names == ["lenet5", None, "imagenet_resnet18"]  # a separator between the groups
    with qtbot.waitSignal(window.model_requested) as signal:
        window.model_picker.setCurrentIndex(2)
        window.model_picker.activated.emit(2)
    assert signal.args == ["imagenet_resnet18", None]


def test_untrained_model_is_marked(qtbot):
    window = _window(qtbot)
    info = ModelInfo("imagenet_resnet18", "ResNet-18", "ImageNet", "CPU (1 thread)", ("a", "b"), (224, 224), 3,
                     "untrained weights", False)
    window.show_model(info)
    assert "UNTRAINED WEIGHTS" in window.weights_label.text()
    assert window.windowTitle() == "cnn-viz – ResNet-18"


def test_messages_stack_and_dismiss(qtbot):
    window = _window(qtbot)
    for i in range(5):
        window.show_message(f"message {i}")
    assert window.messages.isVisible()
    assert "message 4" in window.messages.text() and "message 0" not in window.messages.text()
    window.messages.dismiss()
    assert not window.messages.isVisible()
