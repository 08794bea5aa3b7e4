"""The window with its real inference thread, driven by real (simulated) mouse events."""


import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtTest import QTest

from viz_app.app.session import Session
from viz_app.records.frames import NormMode
from viz_app.sources.scripted import scaled_strokes
from viz_app.state.options import RunOptions
from viz_app.ui.colours import lut

LENET_LAYERS = ["c1", "s2", "c3", "s4", "c5", "f6", "output"]


@pytest.fixture()
def session(lenet_session):
    return lenet_session


def _pad_point(pad, x: float, y: float) -> QPoint:
    """Canvas coordinates -> the pad widget's pixels."""
    rect = pad.paper_rect()
    scale = rect.width() / pad.canvas.size
    return QPoint(round(rect.x() + x * scale), round(rect.y() + y * scale))


def draw_with_mouse(pad, digit: int) -> None:
    for stroke in scaled_strokes(digit, pad.canvas.size, steps_per_unit=30):
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _pad_point(pad, *stroke[0]))
        for point in stroke[1:]:
            QTest.mouseMove(pad, _pad_point(pad, *point))
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _pad_point(pad, *stroke[-1]))


def last_result(qtbot, window, timeout=10_000):
    box = {}
    window.result_shown.connect(lambda r, t: box.__setitem__("r", r))
    qtbot.waitUntil(lambda: "r" in box, timeout=timeout)
    return box


@pytest.mark.parametrize("digit", [0, 2, 3, 4, 7, 8])
def test_mouse_drawn_digit_is_recognised_and_all_layers_shown(session, qtbot, digit):
    window = session.window
    box = {}
    window.result_shown.connect(lambda r, t: box.__setitem__("r", r))
    draw_with_mouse(window.pad, digit)
    # Wait for the result of the last pointer event, not an older frame.
    seq = window.pad.seq
    qtbot.waitUntil(lambda: "r" in box and box["r"].seq == seq, timeout=15_000)
    result = box["r"]
    assert result.prediction == digit
    assert window.probabilities.prediction.text() == str(digit)
    assert window.maps.layer_names == LENET_LAYERS
    for layer in result.layers:
        assert np.array_equal(window.maps.cell_image(layer.name), lut(layer.signed)[layer.image])
    assert window.network_input.image.image.shape == (32, 32)


def test_results_arrive_while_the_stroke_is_still_drawn(session, qtbot):
    window, pad = session.window, session.window.pad
    shown = []
    window.result_shown.connect(lambda r, t: shown.append(r.seq))
    stroke = scaled_strokes(1, pad.canvas.size, steps_per_unit=30)[0]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _pad_point(pad, *stroke[0]))
    for point in stroke[1:]:
        QTest.mouseMove(pad, _pad_point(pad, *point))
        qtbot.wait(15)
    assert len(shown) >= 3  # the button is still down: maps update mid-stroke
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _pad_point(pad, *stroke[-1]))


@pytest.mark.parametrize("how", ["button", "escape", "right_click"])
def test_clearing_the_pad(session, qtbot, how):
    window, pad = session.window, session.window.pad
    draw_with_mouse(pad, 7)
    qtbot.waitUntil(lambda: window.probabilities.prediction.text() == "7", timeout=10_000)
    if how == "button":
        QTest.mouseClick(window.clear_button, Qt.MouseButton.LeftButton)
    elif how == "escape":
        QTest.keyClick(window, Qt.Key.Key_Escape)
    else:
        QTest.mouseClick(pad, Qt.MouseButton.RightButton, pos=_pad_point(pad, 140, 140))
    assert pad.canvas.is_blank
    qtbot.waitUntil(lambda: window.probabilities.prediction.text() == "–", timeout=10_000)


def test_pen_width_changes_the_stroke(session, qtbot):
    window, pad = session.window, session.window.pad
    window.pen_width.setValue(8)
    draw_with_mouse(pad, 1)
    thin = int((pad.canvas.ink > 0).sum())
    pad.clear()
    window.pen_width.setValue(40)
    draw_with_mouse(pad, 1)
    assert (pad.canvas.ink > 0).sum() > 3 * thin


def test_normalisation_switch_changes_maps_and_scale(session, qtbot):
    window = session.window
    draw_with_mouse(window.pad, 3)
    qtbot.waitUntil(lambda: window.probabilities.prediction.text() == "3", timeout=10_000)
    before = window.maps.cell_image("c1").copy()
    seen = {}
    window.result_shown.connect(lambda r, t: seen.__setitem__("r", r))
    window.norm_picker.setCurrentIndex(list(NormMode).index(NormMode.PER_CHANNEL))
    assert "Per channel" in window.colour_scale.mode.text()
    qtbot.waitUntil(lambda: "r" in seen and not np.array_equal(window.maps.cell_image("c1"), before), timeout=10_000)
    window.norm_picker.setCurrentIndex(list(NormMode).index(NormMode.FIXED))
    assert "Fixed range" in window.colour_scale.mode.text()


def test_status_bar_shows_device_rate_and_latency(session, qtbot):
    window = session.window
    assert window.device_label.text().startswith("Device: CPU")
    assert "99." in window.weights_label.text()
    draw_with_mouse(window.pad, 8)
    qtbot.waitUntil(lambda: "fps" in window.rate_label.text() and "latency" in window.rate_label.text(), timeout=10_000)


def test_bad_weights_file_gives_a_message_not_a_crash(qtbot, tmp_path):
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"this is not a weights file")
    s = Session("lenet5", RunOptions("cpu"), weights=bad)
    qtbot.addWidget(s.window)
    s.window.show()
    try:
        qtbot.waitUntil(lambda: s.window.messages.isVisible(), timeout=30_000)
        assert "broken.pt" in s.window.messages.text() and "its own weights instead" in s.window.messages.text()
        qtbot.waitUntil(lambda: "99." in s.window.weights_label.text(), timeout=30_000)  # the shipped weights
        draw_with_mouse(s.window.pad, 1)  # the app keeps working
        qtbot.waitUntil(lambda: s.window.maps.shown > 0, timeout=10_000)
    finally:
        s.close()


def test_opening_a_bad_weights_file_keeps_the_trained_model(session, qtbot, tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"junk")
    session.window.model_requested.emit("lenet5", str(bad))
    qtbot.waitUntil(lambda: session.window.messages.isVisible(), timeout=10_000)
    assert "bad.pt" in session.window.messages.text()


def test_unknown_device_falls_back_to_cpu_with_a_message(qtbot):
    s = Session("lenet5", RunOptions("cuda:7"))
    qtbot.addWidget(s.window)
    try:
        qtbot.waitUntil(lambda: s.window.model is not None, timeout=30_000)
        assert "CPU" in s.window.device_label.text()
        assert "cuda:7" in s.window.messages.text()
    finally:
        s.close()


def test_an_autocast_asked_for_is_used_and_named_in_the_status_bar(qtbot):
    """`cnn-viz --precision bf16`: the model runs under bf16 autocast, the status bar says so, a drawn 7 is still a 7."""
    s = Session("lenet5", RunOptions("cpu", "bf16"))
    qtbot.addWidget(s.window)
    s.window.show()
    try:
        qtbot.waitUntil(lambda: s.window.model is not None, timeout=30_000)
        assert s.window.device_label.text().startswith("Device: CPU") and s.window.device_label.text().endswith("bfloat16 autocast")
        box = {}
        s.window.result_shown.connect(lambda r, t: box.__setitem__("r", r))
        draw_with_mouse(s.window.pad, 7)
        seq = s.window.pad.seq
        qtbot.waitUntil(lambda: "r" in box and box["r"].seq == seq, timeout=15_000)
        assert box["r"].prediction == 7
    finally:
        s.close()


def test_closing_the_window_during_inference_stops_cleanly(qtbot):
    s = Session("lenet5", RunOptions("cpu"))
    qtbot.addWidget(s.window)
    s.window.show()
    qtbot.waitUntil(lambda: s.window.model is not None, timeout=30_000)
    for digit in (1, 2, 3):
        draw_with_mouse(s.window.pad, digit)
    s.window.close()  # frames still in flight
    assert not s.inference.thread.isRunning()
    processed = s.inference.worker.processed
    s.window.pad.stroke_begin(10, 10)  # late input after closing is ignored, not a crash
    s.window.pad.stroke_to(60, 60)
    QCoreApplication.processEvents()
    assert s.inference.worker.processed == processed


@pytest.mark.slow
def test_cost_table_and_layer_picker_follow_the_model(session, qtbot):
    window = session.window
    qtbot.waitUntil(lambda: window.cost.summary is not None, timeout=60_000)
    assert window.cost.summary.total_params == 61_706
    assert window.layer_picker.chosen() == LENET_LAYERS
    seen = {}
    window.result_shown.connect(lambda r, t: seen.__setitem__("r", r))
    draw_with_mouse(window.pad, 1)
    window.layer_picker.set_chosen(["c1", "output"])
    window.layers_requested.emit(["c1", "output"])
    qtbot.waitUntil(lambda: "r" in seen and [layer.name for layer in seen["r"].layers] == ["c1", "output"], timeout=10_000)
    qtbot.waitUntil(lambda: window.maps.layer_names == ["c1", "output"], timeout=10_000)


def test_insight_panels_run_only_while_shown(session, qtbot):
    window = session.window
    seen = {}
    window.result_shown.connect(lambda r, t: seen.__setitem__("r", r))
    draw_with_mouse(window.pad, 4)
    qtbot.waitUntil(lambda: "r" in seen, timeout=10_000)
    assert seen["r"].extras == {}  # the Layers tab is in view: no extra costs frame time
    window.side.setCurrentWidget(window.panel("augment"))
    seen.clear()
    draw_with_mouse(window.pad, 4)
    qtbot.waitUntil(lambda: "r" in seen and "augment" in seen["r"].extras, timeout=15_000)
    assert set(seen["r"].extras) == {"augment"}
    assert seen["r"].prediction == 4  # variants ride along without changing the frame's answer


def test_clicking_a_feature_map_zooms_on_that_unit(session, qtbot):
    window = session.window
    seen = {}
    window.result_shown.connect(lambda r, t: seen.__setitem__("r", r))
    draw_with_mouse(window.pad, 7)
    qtbot.waitUntil(lambda: "r" in seen, timeout=10_000)
    window.maps.unit_clicked.emit("c3", 5)
    assert window.side.currentWidget() is window.panel("unit")
    assert window.panel("unit").selection == ("c3", 5)
    qtbot.waitUntil(lambda: "unit" in seen["r"].extras, timeout=15_000)
    assert window.panel("unit").shown > 0


@pytest.mark.slow
def test_every_zoo_model_opens_from_the_picker_and_reads_a_drawn_digit(session, qtbot):
    """The user's path: pick each MNIST-zoo model in the window, draw a 3, see its layers and its answer."""
    from viz_app.models import get_spec, list_specs

    window = session.window
    zoo = [spec.name for spec in list_specs() if spec.group == "MNIST zoo"]
    assert len(zoo) >= 13
    box = {}
    window.result_shown.connect(lambda r, t: box.__setitem__("r", r))
    wrong = {}
    for name in zoo:
        index = window.model_picker.findData(name)
        assert index >= 0, name
        window.model_picker.setCurrentIndex(index)
        window.model_picker.activated.emit(index)
        qtbot.waitUntil(lambda name=name: window.model is not None and window.model.name == name, timeout=30_000)
        assert window.model.trained, f"{name} opened without its shipped weights"
        window.pad.clear()
        draw_with_mouse(window.pad, 3)
        seq = window.pad.seq
        qtbot.waitUntil(lambda name=name, seq=seq: "r" in box and box["r"].model == name and box["r"].seq == seq, timeout=30_000)
        assert window.maps.layer_names == [path for path, _ in get_spec(name).layers]
        if box["r"].prediction != 3:
            wrong[name] = box["r"].prediction
    assert not wrong, wrong  # every model reads the drawn 3


def test_a_model_that_does_not_open_puts_the_picker_back(lenet_session, qtbot, tmp_path):
    window = lenet_session.window
    picker = window.model_picker
    picker.setCurrentIndex(picker.findData("alexnet"))  # as if the user picked it
    window.model_requested.emit("alexnet", str(tmp_path / "missing.pt"))
    qtbot.waitUntil(lambda: picker.currentData() == "lenet5", timeout=20_000)
    assert window.model.name == "lenet5"


def test_a_tab_opened_while_the_digit_rests_shows_it(session, qtbot):
    """Draw, stop, open Augment: the variants of the digit on the pad come without another stroke."""
    window = session.window
    draw_with_mouse(window.pad, 4)
    qtbot.waitUntil(lambda: window.probabilities.prediction.text() == "4", timeout=10_000)
    augment = window.panel("augment")
    window.side.setCurrentWidget(augment)
    qtbot.waitUntil(lambda: augment.shown > 0, timeout=15_000)
    assert augment.summary.text().startswith("Original: 4")


def test_the_extras_are_imported_ahead_of_their_tabs():
    import subprocess
    import sys

    code = ("import sys; from viz_app.app.worker import preload_extras; from viz_app.state.panels import PANELS; preload_extras(); "
            "missing = [s.extra for s in PANELS if s.extra.partition(':')[0] not in sys.modules]; print(missing)")  # fmt: skip
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stderr[-2000:]
