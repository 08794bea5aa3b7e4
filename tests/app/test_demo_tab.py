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
