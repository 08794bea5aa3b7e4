"""The insight panels draw real records, and their controls ask for the right extras."""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt

from viz_app.models import load_model
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame
from viz_app.records.panels import AUGMENTATIONS, SaliencyParams, SERecord, UnitParams
from viz_app.sources.strokes import StrokeCanvas
from viz_app.ui.panels.augmentations import AugmentationsPanel
from viz_app.ui.panels.feature_maps import FeatureMapsPanel, unit_at
from viz_app.ui.panels.filters import FiltersPanel
from viz_app.ui.panels.saliency import SaliencyPanel
from viz_app.ui.panels.se_weights import SEWeightsPanel
from viz_app.ui.panels.unit_zoom import UnitZoomPanel

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def run(name: str, extras: dict[str, dict]):
    canvas = StrokeCanvas()
    canvas.draw_polyline([(90, 70), (150, 40), (190, 90), (100, 230), (200, 230)])
    loaded = load_model(name)
    with Pipeline(loaded) as pipeline:
        for key, params in extras.items():
            pipeline.add_extra(make_extra(key, loaded, params))
        return pipeline.process(Frame(canvas.ink.copy(), time.perf_counter()))


@pytest.fixture(scope="module")
def lenet_result():
    return run("lenet5", {"se": {}, "augment": {"seed": 2, "strength": {"flip": 1.0}}, "saliency": {},
                          "unit": {"layer": "c3", "index": 4}, "filters": {}})  # fmt: skip


@pytest.fixture(scope="module")
def se_result():
    return run("se_resnet", {"se": {}})


def test_se_panel_draws_every_block(qtbot, se_result) -> None:
    panel = SEWeightsPanel()
    qtbot.addWidget(panel)
    record = se_result.extras["se"]
    panel.show_record(record)
    assert panel.block_count == len(record.blocks) > 0
    for chart, block in zip(panel.charts, record.blocks, strict=True):
        np.testing.assert_allclose(chart.gates(), block.weights)
    assert panel.message.isHidden() and not panel.scroll.isHidden()
    charts = panel.charts
    panel.show_record(record)  # same layout: the items are reused, not rebuilt
    assert all(a.bars is b.bars and a.plot is b.plot for a, b in zip(panel.charts, charts, strict=True))


def test_se_panel_with_class_means_and_without_blocks(qtbot, se_result, lenet_result) -> None:
    panel = SEWeightsPanel()
    qtbot.addWidget(panel)
    record = se_result.extras["se"]
    blocks = tuple(type(b)(b.name, b.weights, np.full((10, len(b.weights)), 0.25, np.float32)) for b in record.blocks)
    panel.show_record(SERecord(blocks, prediction=3))
    np.testing.assert_allclose(panel.charts[0].class_mean_gates(), 0.25)
    assert panel.charts[0].means is not None
    panel.show_record(lenet_result.extras["se"])
    assert not panel.message.isHidden() and panel.scroll.isHidden()
    assert "no squeeze-and-excitation" in panel.message.text()


def test_augmentation_panel_marks_changed_predictions(qtbot, lenet_result) -> None:
    panel = AugmentationsPanel()
    qtbot.addWidget(panel)
    record = lenet_result.extras["augment"]
    panel.show_record(record)
    for variant in record.variants:
        text, changed = panel.tile_state(variant.name)
        assert text.startswith(f"{variant.name}: {variant.prediction} ")
        assert changed == variant.changed
        np.testing.assert_array_equal(panel.tile_image(variant.name), variant.image)
    # One image for the whole grid: every variant above was read out of the image the view shows.
    assert [item for item in panel.view.addedItems if isinstance(item, pg.ImageItem)] == [panel.image]
    assert f"{record.changed_count} of {len(record.variants)}" in panel.summary.text()


def test_augmentation_controls_request_the_extra(qtbot) -> None:
    panel = AugmentationsPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.params_changed, timeout=20_000) as blocker:
        panel.sliders["rotation"].setValue(90)
    (params,) = blocker.args
    assert params == panel.params() and params.strengths["rotation"] == pytest.approx(0.9)
    assert params.names == AUGMENTATIONS
    seed = params.seed
    with qtbot.waitSignal(panel.params_changed, timeout=20_000) as blocker:
        panel.reroll.click()
    assert blocker.args[0].seed != seed or panel.seed.value() != seed
    with qtbot.waitSignal(panel.params_changed, timeout=20_000) as blocker:
        panel.fixed.setChecked(True)
    assert blocker.args[0].seed == 0 and not panel.reroll.isEnabled()


def test_unit_zoom_shows_activation_kernels_and_field(qtbot, lenet_result) -> None:
    panel = UnitZoomPanel()
    qtbot.addWidget(panel)
    record = lenet_result.extras["unit"]
    panel.show_record(record)
    np.testing.assert_array_equal(panel.activation.image, record.activation)
    assert panel.colour_bar.levels() == pytest.approx((record.activation.min(), max(record.activation.max(), record.activation.min() + 1e-6)))
    np.testing.assert_array_equal(panel.kernels.image, record.kernels)
    x0, y0, x1, y1 = record.receptive_field
    rect = panel.field_rect
    assert (rect.x(), rect.y(), rect.width(), rect.height()) == (x0, y0, x1 - x0, y1 - y0)
    assert "c3 #4" in panel.title.text
    with qtbot.waitSignal(panel.params_changed) as blocker:
        panel.select("s2", 1)
    assert blocker.args == [UnitParams("s2", 1)]
    assert panel.params() == UnitParams("s2", 1)
    panel.clear_selection()
    assert panel.params() is None and panel.field_rect is None


def test_every_panel_asks_for_its_extra(qtbot) -> None:
    panels = [SEWeightsPanel(), AugmentationsPanel(), UnitZoomPanel(), FiltersPanel(), SaliencyPanel()]
    for panel in panels:
        qtbot.addWidget(panel)
    assert [p.params() is None for p in panels] == [False, False, True, False, False]  # the unit waits for a click


def test_filters_panel(qtbot, lenet_result) -> None:
    panel = FiltersPanel()
    qtbot.addWidget(panel)
    record = lenet_result.extras["filters"]
    panel.show_record(record)
    np.testing.assert_array_equal(panel.image.image, record.image)
    assert "6 filters of 5x5" in panel.title.text
    panel.show_record(record)
    assert panel.shown == 1  # unchanged filters are not redrawn


def test_saliency_panel_overlay_and_switch(qtbot, lenet_result) -> None:
    panel = SaliencyPanel()
    qtbot.addWidget(panel)
    assert panel.enabled.isChecked() and panel.params() == SaliencyParams("auto")  # on when shown
    record = lenet_result.extras["saliency"]
    panel.show_record(record)
    np.testing.assert_array_equal(panel.heat.image, record.heatmap)
    np.testing.assert_array_equal(panel.input_image.image, record.input_image)
    assert panel.heat.isVisible() or not panel.isVisible()
    with qtbot.waitSignal(panel.params_changed) as blocker:
        panel.method.setCurrentIndex(2)
    assert blocker.args == [SaliencyParams("gradient")]
    with qtbot.waitSignal(panel.params_changed) as blocker:
        panel.enabled.setChecked(False)
    assert blocker.args == [None]
    assert not panel.heat.isVisible()


def test_click_on_a_mosaic_cell_selects_that_channel(qtbot, lenet_result) -> None:
    maps = FeatureMapsPanel()
    qtbot.addWidget(maps)
    maps.resize(900, 700)
    maps.show()
    qtbot.waitExposed(maps)
    maps.show_layers(lenet_result.layers)
    qtbot.wait(200)  # let the layout place the cells
    layer = next(shown for shown in lenet_result.layers if shown.name == "c3")  # 16 maps in a 4 x 4 grid
    cell = maps.cell("c3")
    rows, cols = layer.grid
    th, tw = layer.tile
    zoom = UnitZoomPanel()
    qtbot.addWidget(zoom)
    maps.unit_clicked.connect(zoom.select)
    for index in (0, 6, 13):
        r, c = divmod(index, cols)
        centre = QPointF((c + 0.5) * tw, (r + 0.5) * th)
        assert unit_at(layer, centre.x(), centre.y()) == index
        pos = maps.mapFromScene(cell.image.mapToScene(centre))
        with qtbot.waitSignal(maps.unit_clicked, timeout=20_000) as blocker:
            qtbot.mouseClick(maps.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        assert blocker.args == ["c3", index]
        assert zoom.selection == ("c3", index)


def test_augmentation_captions_do_not_overlap(qtbot, lenet_result) -> None:
    panel = AugmentationsPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 420)  # a narrow side tab on a small screen
    panel.show()
    record = lenet_result.extras["augment"]
    panel.show_record(record)
    qtbot.wait(50)
    rects = {v.name: panel.caption_rect(v.name) for v in record.variants}
    assert all(r.width() > 10 and r.height() > 6 for r in rects.values()), rects
    names = list(rects)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not rects[a].intersects(rects[b]), (a, rects[a], b, rects[b])


def test_augmentation_variants_get_the_room_and_read_when_presented(qtbot, lenet_result) -> None:
    """In a side tab at 1024x768 (about 270 x 300 px) the variants get the room: the settings wait behind a
    switch. Presented (about 760 x 600 px of a 1024x768 screen), each caption line is 1/40 of the screen high."""
    panel = AugmentationsPanel()
    qtbot.addWidget(panel)
    panel.resize(270, 300)
    panel.show()
    qtbot.waitExposed(panel)
    record = lenet_result.extras["augment"]
    panel.show_record(record)
    qtbot.wait(50)
    assert not panel.sliders["rotation"].isVisible() and panel.show_strengths.isVisible()
    assert panel.graphics.height() >= 0.7 * panel.height()  # it was a third: six rows of sliders took the rest
    panel.resize(760, 600)
    qtbot.waitUntil(lambda: panel.caption_rect("perspective").height() > 30, timeout=5_000)
    lines = {v.name: panel.caption_rect(v.name).height() / 2 for v in record.variants}  # name over verdict
    assert min(lines.values()) >= 768 / 40, lines
    panel.show_strengths.click()
    assert panel.sliders["rotation"].isVisible()


def test_augmentation_captions_wait_for_the_grid(qtbot) -> None:
    """Before the first record no caption shows: all at (0, 0) they were one blot of overlapping text."""
    panel = AugmentationsPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert not any(tile.label.isVisible() for tile in panel._tiles.values())


@pytest.mark.parametrize("make", [FiltersPanel, UnitZoomPanel], ids=["filters", "unit"])
def test_a_long_title_does_not_widen_its_panel(qtbot, lenet_result, make) -> None:
    """The filters' title ("c1.0: 6 filters of 5x5 [-0.519, 0.519], 0 in the middle") asked for its whole
    width and ran the panel off the screen's edge at 1280x720: titles are cut to the panel instead."""
    panel = make()
    qtbot.addWidget(panel)
    panel.resize(240, 300)
    panel.show()
    qtbot.waitExposed(panel)
    before = panel.minimumSizeHint().width()
    panel.show_record(lenet_result.extras["filters" if make is FiltersPanel else "unit"])
    qtbot.wait(50)
    assert panel.minimumSizeHint().width() <= max(before, 240)
    title = panel.title.mapRectToScene(panel.title.boundingRect())
    assert title.right() <= panel.width() + 1
