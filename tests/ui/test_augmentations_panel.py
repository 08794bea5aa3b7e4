"""The augmentation panel between two refreshes of the variants: nothing redrawn, and the last input caught up."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from viz_app.models import load_model
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame
from viz_app.sources.strokes import StrokeCanvas
from viz_app.ui.panels.augmentations import CATCH_UP_MS, REFRESH_HZ, AugmentationsPanel

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def record():
    canvas = StrokeCanvas()
    canvas.draw_polyline([(90, 70), (150, 40), (190, 90), (100, 230), (200, 230)])
    loaded = load_model("lenet5")
    with Pipeline(loaded, layers=[]) as pipeline:
        pipeline.add_extra(make_extra("augment", loaded, {"seed": 2}))
        return pipeline.process(Frame(canvas.ink.copy(), time.perf_counter())).extras["augment"]


def test_the_panel_asks_for_variants_at_video_rate(qtbot) -> None:
    panel = AugmentationsPanel()
    qtbot.addWidget(panel)
    assert panel.params().refresh_hz == REFRESH_HZ >= 25  # still reads as live


def test_a_repeated_record_is_not_redrawn_and_the_last_input_is_asked_for(qtbot, record) -> None:
    panel = AugmentationsPanel()
    qtbot.addWidget(panel)
    panel.show_record(record)
    assert panel.shown == 1
    panel.image.image[:] = 0  # what a redraw would overwrite
    panel.show_record(record)  # a frame between refreshes brings the same record
    assert panel.shown == 1 and not panel.image.image.any()
    with qtbot.waitSignal(panel.params_changed, timeout=CATCH_UP_MS + 2000) as blocker:
        pass  # the input stopped on that frame: after CATCH_UP_MS the panel asks for its variants
    assert blocker.args == [panel.params()]
    fresh = dataclasses.replace(record)
    panel.show_record(record)
    panel.show_record(fresh)  # a refresh in time: no catch-up
    assert panel.shown == 2
    np.testing.assert_array_equal(panel.tile_image(fresh.variants[0].name), fresh.variants[0].image)
    with qtbot.assertNotEmitted(panel.params_changed, wait=CATCH_UP_MS + 100):
        pass
