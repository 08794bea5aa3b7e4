"""The Demo tab in the real window: a scene plays through LeNet-5 and its curve grows."""

from __future__ import annotations

import numpy as np
import pytest

from viz_app.sources.scenes import get_scene


@pytest.fixture()
def demo(lenet_session, qtbot):
    controller = lenet_session.sources
    controller.show("demo")
    return lenet_session, controller.demo


@pytest.mark.slow
def test_a_scene_plays_through_the_network_and_draws_its_curve(demo, qtbot):
    session, tab = demo
    scene = get_scene("translation")
    qtbot.waitUntil(lambda: {0.0, -10.0, 10.0} <= set(tab.panel.curve), timeout=20_000)
    curve = tab.panel.curve
    assert set(curve) <= set(scene.values)
    assert all(0.0 <= p <= 1.0 for p in curve.values())
    # The test set's first digit is a 7: read surely in place, far less surely 10 pixels off.
    assert curve[0.0] > 0.9 and curve[10.0] < curve[0.0] and curve[-10.0] < curve[0.0]
    assert tab.panel.verdict.text().startswith("at ")


def test_another_scene_restarts_the_curve_on_its_own_axis(demo, qtbot):
    session, tab = demo
    qtbot.waitUntil(lambda: len(tab.panel.curve) >= 3, timeout=20_000)
    tab.panel.scene_picked.emit("rotation")
    rotation = get_scene("rotation")
    qtbot.waitUntil(lambda: len(tab.panel.curve) >= 3 and set(tab.panel.curve) <= set(rotation.values), timeout=20_000)
    assert tab.source is not None and tab.source.scene is rotation


def test_the_curve_can_be_kept_to_compare_models(demo, qtbot):
    session, tab = demo
    qtbot.waitUntil(lambda: len(tab.panel.curve) >= 5, timeout=20_000)
    tab.panel.keep_reference_clicked.emit()
    xs, ys = tab.panel.reference.getData()
    assert len(xs) >= 5 and np.all((ys >= 0) & (ys <= 1))


def test_the_pads_drawing_needs_a_drawing(demo, qtbot):
    session, tab = demo
    tab.panel.digit_box.setValue(-1)
    tab.panel.digit_picked.emit(-1)
    qtbot.waitUntil(lambda: "Draw a digit on the pad first" in session.window.statusBar().currentMessage(), timeout=20_000)


def test_the_curve_reads_whole(qtbot):
    """No empty "reference" in the legend before a curve is kept, the end ticks ("1.0", "-10") drawn whole,
    and the digit box says it picks a test image by number (#0 is a 7, not a zero)."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QFontMetrics

    from viz_app.ui.sources.demo_panel import DemoPanel

    panel = DemoPanel([("translation", "Translation")])
    qtbot.addWidget(panel)
    panel.resize(300, 500)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_scene("translation", "shift (pixels)", [-10.0, -5.0, 0.0, 5.0, 10.0])
    legend = panel.curve_plot.plotItem.legend
    assert [label.text for _, label in legend.items] == ["now"]
    panel.add_point(0, 0.5, "7", True)
    panel.keep_reference("LeNet-5")
    assert [label.text for _, label in legend.items] == ["now", "LeNet-5"]
    box = panel.curve_plot.getViewBox()
    metrics = QFontMetrics(panel.curve_plot.getAxis("bottom").style["tickFont"] or panel.font())
    left = box.mapViewToScene(QPointF(-10.0, 0.0)).x() - box.sceneBoundingRect().left()
    top = box.mapViewToScene(QPointF(0.0, 1.0)).y() - box.sceneBoundingRect().top()
    assert left >= metrics.horizontalAdvance("-10") / 2 and top >= metrics.height() / 2
    assert panel.digit_box.text().startswith("Test image #0")
