"""The main window on its own (no worker): download progress, messages, model display, the side tabs."""

from viz_app.records.frames import ModelInfo
from viz_app.records.panels import SaliencyParams, UnitParams
from viz_app.state.panels import PANELS
from viz_app.state.view import ModelChoice, request_of
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


def test_side_tabs_come_from_the_panel_registry(qtbot):
    window = _window(qtbot)
    titles = [window.side.tabText(i) for i in range(window.side.count())]
    assert titles == ["Layers", "Cost", "Model zoo", "Train", *(spec.title for spec in PANELS)]
    assert [window.side.indexOf(window.panel(spec.key)) for spec in PANELS] == list(range(4, 4 + len(PANELS)))


def _extras(window: MainWindow) -> dict:
    """What the worker would be asked to compute beside the maps, as the window's view state stands."""
    return dict(request_of(window.view.state).models[0].extras)


def test_only_the_panel_in_view_runs_its_extra(qtbot):
    window = _window(qtbot)
    assert window.view.state.tab == "Layers" and _extras(window) == {}
    window.side.setCurrentWidget(window.panel("saliency"))
    assert window.view.state.tab == "saliency" and _extras(window) == {"saliency": SaliencyParams("auto")}
    window.panel("augment").request()  # a panel out of view changes its settings: they are kept, nothing runs
    assert "augment" in window.view.state.params and _extras(window) == {"saliency": SaliencyParams("auto")}
    window.panel("saliency").enabled.setChecked(False)  # the one in view switches itself off
    assert _extras(window) == {}


def test_a_clicked_unit_opens_the_unit_panel_and_a_new_model_forgets_it(qtbot):
    window = _window(qtbot)
    window.maps.unit_clicked.emit("c3", 5)
    assert window.side.currentWidget() is window.panel("unit")
    assert _extras(window) == {"unit": UnitParams("c3", 5)}
    window.model_requested.emit("imagenet_resnet18", None)  # another model has other layers: the unit is forgotten with the switch
    assert window.view.state.model == ModelChoice("imagenet_resnet18") and _extras(window) == {}
    window.show_model(ModelInfo("imagenet_resnet18", "ResNet-18", "ImageNet", "CPU", ("a", "b"), (224, 224), 3, "untrained weights", False))
    assert window.panel("unit").params() is None


def test_space_means_freeze_even_on_a_tab_with_its_own_space_shortcut(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence, QShortcut
    from PySide6.QtWidgets import QWidget

    window = _window(qtbot)
    tab = QWidget()
    own = QShortcut(QKeySequence(Qt.Key.Key_Space), tab)  # e.g. the camera tab's old "freeze the camera"
    window.inputs.setCurrentIndex(window.add_input_tab(tab, "Camera"))
    assert not own.isEnabled()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts reach the active window
    with qtbot.waitSignal(window.freeze_toggled) as toggled:
        qtbot.keyClick(window, Qt.Key.Key_Space)
    assert toggled.args == [True] and window.frozen


def test_window_fits_its_screen_when_first_shown(qtbot):
    window = MainWindow(MODELS)
    qtbot.addWidget(window)
    window.show()
    available = window.screen().availableGeometry()
    assert window.minimumSizeHint().width() <= 1024 and window.minimumSizeHint().height() <= 700
    assert available.contains(window.frameGeometry()) or window.isMaximized()


def test_the_picker_shows_the_model_s_whole_name_at_1024(qtbot):
    """The closed picker cut "LeNet-5 (ReLU, max pooling)  [lenet5]" at 22 characters; the toolbar still fits 1024 px."""
    window = MainWindow([("lenet5", "LeNet-5 (ReLU, max pooling)", "MNIST zoo"), *MODELS[1:]])
    qtbot.addWidget(window)
    window.resize(1024, 740)
    window.show()
    qtbot.waitExposed(window)
    picker = window.model_picker
    assert picker.fontMetrics().horizontalAdvance(picker.currentText()) <= picker.width() - 20
    assert window.controls.sizeHint().width() <= 1024 and window.clear_button.isVisible()
