"""The answer as a hall reads it: untrained weights say so, 1,000 classes show a readable top five,
string mode's words fit string mode, the rate says idle, and Grad-CAM names the class."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QStatusBar

from viz_app.records.frames import FrameResult, ModelInfo, Timings
from viz_app.records.panels import SaliencyRecord
from viz_app.ui.panels.probabilities import TOP_BARS, UNTRAINED_NOTE, ProbabilitiesPanel
from viz_app.ui.panels.saliency import SaliencyPanel
from viz_app.ui.status_line import StatusLine

IMAGENET_LIKE = tuple(f"class number {i}" for i in range(1000))
IMAGENET_LIKE = ("tench, Tinca tinca", "tabby, tabby cat", *IMAGENET_LIKE[2:])


def info(classes: tuple[str, ...], trained: bool = True, name: str = "m") -> ModelInfo:
    return ModelInfo(name, name.upper(), "test", "cpu", classes, (32, 32), 1, "w.pt" if trained else "untrained weights", trained)


def result(probabilities: np.ndarray, text: str | None = None, empty: bool = False) -> FrameResult:
    classes = tuple(str(i) for i in range(len(probabilities)))
    return FrameResult(0, 0.0, 0.0, "m", np.zeros((32, 32), np.uint8), probabilities.astype(np.float32), classes, (), Timings(), empty, text=text)


@pytest.fixture
def panel(qtbot) -> ProbabilitiesPanel:
    widget = ProbabilitiesPanel()
    widget.resize(420, 420)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_untrained_weights_grey_the_answer_under_a_note(panel) -> None:
    panel.set_model(info(IMAGENET_LIKE, trained=False))
    probabilities = np.full(1000, 0.5 / 999)
    probabilities[650] = 0.5
    panel.show_result(result(probabilities))
    assert panel.untrained.isVisible() and panel.untrained.text() == UNTRAINED_NOTE
    assert "#777777" in panel.prediction.styleSheet()
    assert "untrained" in panel.confidence.text()
    panel.set_model(info(IMAGENET_LIKE, trained=True, name="other"))
    panel.show_result(result(probabilities))
    assert not panel.untrained.isVisible() and panel.prediction.styleSheet() == ""
    assert panel.confidence.text() == "50.0% confident"


def test_a_thousand_classes_show_the_top_five_named_in_full(panel) -> None:
    panel.set_model(info(IMAGENET_LIKE))
    probabilities = np.linspace(0, 1e-3, 1000)
    probabilities[[1, 0, 7, 500, 999]] = [0.40, 0.20, 0.10, 0.05, 0.04]
    panel.show_result(result(probabilities / probabilities.sum()))
    ticks = panel.plot.getAxis("left")._tickLevels[0]
    assert [name for _, name in ticks] == ["tabby", "tench", "class number 7", "class number 500", "class number 999"]
    assert len(panel.bars.opts["y"]) == TOP_BARS  # five lying bars, one row per name: the names cannot overlap
    spacing = panel.plot.getViewBox().height() / TOP_BARS
    assert spacing >= 1.5 * panel.plot.getAxis("left").style["tickFont"].pixelSize()


def test_ten_classes_stand_with_a_probability_axis(panel) -> None:
    panel.set_model(info(tuple("0123456789")))
    panel.show_result(result(np.eye(10)[3]))
    assert panel.prediction.text() == "3" and len(panel.bars.opts["height"]) == 10
    assert panel.plot.getAxis("left").labelText == "probability"


def test_after_a_string_the_axis_names_probability_again(panel) -> None:
    panel.set_model(info(tuple("0123456789")))
    panel.show_result(result(np.eye(10)[3], text="303"))
    assert panel.plot.getAxis("left").labelText == "score on the string" and panel.prediction.text() == "303"
    panel.show_result(result(np.eye(10)[4]))
    assert panel.plot.getAxis("left").labelText == "probability" and panel.prediction.text() == "4"


def test_the_empty_view_asks_for_what_the_pad_reads(panel) -> None:
    panel.set_model(info(tuple("0123456789")))
    panel.set_string_mode(True)
    panel.show_result(result(np.zeros(10), empty=True))
    assert panel.confidence.text() == "Write a string of digits"
    panel.set_string_mode(False)
    assert panel.confidence.text() == "Draw a digit"


def test_grad_cam_names_the_class(qtbot) -> None:
    saliency = SaliencyPanel()
    qtbot.addWidget(saliency)
    saliency.model_changed(info(IMAGENET_LIKE))
    image = np.zeros((8, 8), np.uint8)
    saliency.show_record(SaliencyRecord(image, image, 1, "layer4", 1.0, "gradcam"))
    assert "“tabby”" in saliency.caption.text() and "class 1" not in saliency.caption.text()


def test_the_rate_says_idle_and_a_load_is_not_a_latency(qtbot) -> None:
    bar = QStatusBar()
    qtbot.addWidget(bar)
    line = StatusLine(bar)
    line.show_model(info(tuple("0123456789")))
    now = time.perf_counter()
    line.frame_shown(now - 27.0, now)  # drawn while the model loaded: 27 s is the load, not the model
    for _ in range(5):
        line.frame_shown(now - 0.010, now)
    line._refresh_rates()
    assert "6 fps" in line.rate_label.text() and "latency 10.0 ms" in line.rate_label.text()
    line._shown_at = type(line._shown_at)([now - 5.0], maxlen=line._shown_at.maxlen)  # nothing shown for 5 s
    line._refresh_rates()
    assert line.rate_label.text().startswith("idle")
    line.stop()


def test_the_top_tick_label_is_drawn_whole(panel) -> None:
    """The "1.0" tick sits half a label below the plot's top edge, not on it (where its top half was cut)."""
    from PySide6.QtCore import QPointF

    panel.set_model(info(tuple("0123456789")))
    panel.show_result(result(np.eye(10)[3]))
    box = panel.plot.getViewBox()
    top = box.mapViewToScene(QPointF(0, 1.0)).y() - box.sceneBoundingRect().top()
    assert top >= panel._label_px / 2


def test_a_string_readers_eleven_classes_name_the_score_axis_not_the_class_names(panel) -> None:
    panel.set_model(info((*"0123456789", "none")))  # the SDNN: ten digits and "no digit here"
    scores = np.full(11, 0.01)
    scores[[2, 4, 6, 8]] = 1.0
    panel.show_result(result(scores, text="2468"))
    assert panel.plot.getAxis("left").labelText == ""  # its digits are the left axis' ticks: a label there covered them
    assert panel.plot.getAxis("bottom").labelText == "score on the string"


def test_presented_a_string_widens_the_answer_to_its_digits(qtbot, panel) -> None:
    panel.set_model(info(tuple("0123456789")))
    panel.resize(100, 420)
    panel.set_text_px(18, 100)  # 60 % of the screen (800 px offscreen) has room for four digits of 100 px
    panel.set_answer_floor(100)  # presented: one digit's width
    panel.show_result(result(np.eye(10)[2], text="2468"))
    assert panel.minimumWidth() > 2 * 100
    qtbot.waitUntil(lambda: panel.prediction.font().pixelSize() == 100, timeout=3000)  # once laid out at its new width
    digits = QFontMetrics(panel.prediction.font()).horizontalAdvance("2468")
    assert digits <= panel.minimumWidth()
    panel.show_result(result(np.eye(10)[4]))  # one digit again: the panel keeps the floor only
    assert panel.minimumWidth() == 100
    panel.set_answer_floor(0)  # the normal view
    assert panel.minimumWidth() == 0
