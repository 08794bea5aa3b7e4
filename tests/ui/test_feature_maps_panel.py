"""The feature-map panel's layout: rows of mosaics, block branches side by side, strips below."""

import numpy as np
import pyqtgraph as pg
import pytest

from viz_app.records.frames import LayerImage
from viz_app.ui.colours import lut
from viz_app.ui.panels import feature_maps
from viz_app.ui.panels.feature_maps import FeatureMapsPanel, map_rows, unit_at
from viz_app.ui.panels.map_layout import as_column, best_columns


def layer(title: str, shape=(4, 6, 6), grid=(2, 2), tile=(6, 6)) -> LayerImage:
    image = np.zeros((grid[0] * tile[0], grid[1] * tile[1]) if len(shape) == 3 else (1, shape[0]), np.uint8)
    return LayerImage(title.split(" ")[0], title, shape, image, grid, tile, 0.0, 1.0, False)


def test_plain_layers_fill_rows_of_four():
    rows = map_rows([layer(f"L{i} 4@6x6") for i in range(6)])
    assert [len(r) for r in rows] == [4, 2]


def test_branches_of_one_block_share_a_row():
    maps = [layer("stem 4@6x6"), layer("b/1x1 4@6x6"), layer("b/3x3 4@6x6"), layer("b/5x5 4@6x6"),
            layer("b/pool 4@6x6"), layer("b/extra 4@6x6"), layer("head 4@6x6")]
    rows = map_rows(maps)
    assert [[cell.title.split(" ")[0] for cell in r] for r in rows] == [["stem"], ["b/1x1", "b/3x3", "b/5x5", "b/pool", "b/extra"], ["head"]]


def test_unit_at_maps_clicks_to_channels():
    c1 = layer("C1 6@28x28", shape=(6, 28, 28), grid=(2, 3), tile=(28, 28))
    assert unit_at(c1, 1, 1) == 0
    assert unit_at(c1, 28 * 2 + 3, 28 + 3) == 5
    strip = layer("F6 84", shape=(84,), grid=(1, 1), tile=(1, 84))
    assert unit_at(strip, 83.5, 0.5) == 83 and unit_at(strip, 90, 0.5) is None


def test_panel_builds_once_and_updates_data(qtbot, monkeypatch):
    monkeypatch.setattr(feature_maps, "TITLE_INTERVAL_S", 0.0)
    panel = FeatureMapsPanel()
    qtbot.addWidget(panel)
    layers = (layer("C1 4@6x6"), layer("F6 84", shape=(84,), grid=(1, 1), tile=(1, 84)))
    panel.show_layers(layers)
    first = panel.cell("C1").image
    bright = LayerImage("C1", "C1 4@6x6", (4, 6, 6), np.full((12, 12), 200, np.uint8), (2, 2), (6, 6), 0.0, 3.0, False)
    panel.show_layers((bright, layers[1]))
    assert panel.cell("C1").image is first  # same item, new data
    assert np.array_equal(panel.cell_image("C1"), lut(False)[bright.image]) and panel.shown == 2
    assert "[0, 3]" in panel.cell("C1").text


def test_titles_are_not_rewritten_every_frame(qtbot):
    panel = FeatureMapsPanel()
    qtbot.addWidget(panel)
    panel.show_layers((layer("C1 4@6x6"),))
    first = panel.cell("C1").text
    changed = LayerImage("C1", "C1 4@6x6", (4, 6, 6), np.zeros((12, 12), np.uint8), (2, 2), (6, 6), 0.0, 9.0, False)
    panel.show_layers((changed,))  # within the title interval: the image changes, the text waits
    assert panel.cell("C1").text == first


def _c1() -> LayerImage:
    image = np.arange(2 * 3 * 4 * 4, dtype=np.uint8).reshape(2 * 4, 3 * 4)  # 6 tiles of 4x4, each distinct
    return LayerImage("c1", "C1 6@4x4", (6, 4, 4), image, (2, 3), (4, 4), 0.0, 1.0, False)


def test_column_layout_stacks_maps_in_channel_order():
    c1 = _c1()
    column = as_column(c1)
    assert column.grid == (6, 1) and column.image.shape == (24, 4)
    for channel in range(6):
        r, c = divmod(channel, 3)
        np.testing.assert_array_equal(column.image[4 * channel : 4 * channel + 4], c1.image[4 * r : 4 * r + 4, 4 * c : 4 * c + 4])
        assert unit_at(column, 1, 4 * channel + 1) == channel
    strip = layer("F6 84", shape=(84,), grid=(1, 1), tile=(1, 84))
    upright = as_column(strip)
    assert upright.image.shape == (84, 1) and unit_at(upright, 0.5, 83.5) == 83


def test_more_columns_when_the_area_is_wide():
    shapes = [(56, 84), (28, 42), (40, 40), (20, 20)]  # LeNet-5's four mosaics
    assert best_columns(shapes, 1600, 300, 16) == 4
    assert best_columns(shapes, 300, 1600, 16) == 1


def test_1995_layout_puts_every_layer_in_one_row_in_order(qtbot):
    panel = FeatureMapsPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    layers = (_c1(), layer("C3 4@6x6"), layer("F6 84", shape=(84,), grid=(1, 1), tile=(1, 84)))
    panel.show_layers(layers)
    panel.set_layout_1995(True)
    qtbot.wait(50)
    rects = [panel.map_rect(name) for name in panel.layer_names]
    assert panel.layer_names == ["c1", "C3", "F6"]
    assert [r.left() for r in rects] == sorted(r.left() for r in rects)
    assert all(a.right() < b.left() for a, b in zip(rects, rects[1:]))  # side by side, no overlap
    assert panel.cell_image("c1").shape[:2] == (24, 4)  # C1 stood upright
    panel.set_layout_1995(False)
    assert panel.cell_image("c1").shape[:2] == (8, 12)


def test_a_title_s_value_range_does_not_move_the_maps(qtbot, monkeypatch):
    """Two maps side by side keep their places whatever their titles' ranges say: a title neither
    asks for nor prefers its text's width, so a "[0, 12.3]" does not widen its column."""
    monkeypatch.setattr(feature_maps, "TITLE_INTERVAL_S", 0.0)
    panel = FeatureMapsPanel()
    qtbot.addWidget(panel)
    panel.resize(460, 300)
    panel.show()

    def c1_s2(hi_c1: float, hi_s2: float) -> tuple:
        c1 = LayerImage("C1", "C1 6@28x28", (6, 28, 28), np.zeros((56, 84), np.uint8), (2, 3), (28, 28), 0.0, hi_c1, False)
        s2 = LayerImage("S2", "S2 6@14x14", (6, 14, 14), np.zeros((28, 42), np.uint8), (2, 3), (14, 14), 0.0, hi_s2, False)
        panel.show_layers((c1, s2))
        qtbot.wait(50)  # the layout of the new titles
        return panel.map_rect("C1").getRect(), panel.map_rect("S2").getRect()

    first = c1_s2(1.0, 1.0)
    assert c1_s2(123456.789, 1.0) == first and c1_s2(1.0, -0.000123456) == first


def test_the_output_layer_names_its_units_in_both_layouts(qtbot):
    """Each output unit carries its digit, inside its own cell (it had no labels in any view)."""
    panel = FeatureMapsPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    panel.set_classes(tuple("0123456789"))
    panel.show_layers((layer("C3 4@6x6"), layer("Output 10", shape=(10,), grid=(1, 1), tile=(1, 10))))
    for layout_1995 in (False, True):
        panel.set_layout_1995(layout_1995)
        qtbot.wait(50)
        view = panel.cell("Output").view
        labels = [item for item in view.addedItems if isinstance(item, pg.TextItem)]
        assert [label.toPlainText() for label in labels] == list("0123456789")
        cells = panel.map_rect("Output")
        for label in labels:
            centre = view.mapViewToScene(label.pos())
            centre = panel.mapToGlobal(panel.mapFromScene(centre))
            assert cells.contains(centre), (label.toPlainText(), centre, cells)
    assert not [i for i in panel.cell("C3").view.addedItems if isinstance(i, pg.TextItem)]  # maps carry none


@pytest.mark.parametrize("layout_1995", [False, True], ids=["rows", "1995"])
@pytest.mark.parametrize("width", [700, 760, 830, 900, 1000])
def test_pixel_exact_c1_is_never_drawn_smaller_than_s2(qtbot, width, layout_1995):
    """Whole-number zoom rounds each layer alone: a 28-px C1 at 2x (56 px) beside a 14-px S2 at 5x (70 px)
    put the larger map second. Presented, a map is never drawn larger than the maps before it."""
    panel = FeatureMapsPanel()
    qtbot.addWidget(panel)
    panel.resize(width, 600)
    panel.show()
    c1 = LayerImage("c1", "C1 6@28x28", (6, 28, 28), np.zeros((56, 84), np.uint8), (2, 3), (28, 28), 0.0, 1.0, False)
    s2 = LayerImage("s2", "S2 6@14x14", (6, 14, 14), np.zeros((28, 42), np.uint8), (2, 3), (14, 14), 0.0, 1.0, False)
    panel.show_layers((c1, s2))
    panel.set_layout_1995(layout_1995)
    panel.set_pixel_exact(True)
    qtbot.wait(50)
    c1_cell, s2_cell = panel.cell("c1"), panel.cell("s2")
    assert c1_cell.zoom >= 1 and c1_cell.zoom == int(c1_cell.zoom) and s2_cell.zoom == int(s2_cell.zoom)
    assert c1_cell.zoom * 28 >= s2_cell.zoom * 14, (c1_cell.zoom, s2_cell.zoom)


def test_a_map_drawn_small_says_it_is_reduced(qtbot):
    """Under 2 screen pixels per activation the units blur: the title says "(reduced)", and stops when there is room."""
    panel = FeatureMapsPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 300)
    panel.show()
    big = LayerImage("big", "big 64@56x56", (64, 56, 56), np.zeros((448, 448), np.uint8), (8, 8), (56, 56), 0.0, 1.0, False)
    panel.show_layers((big,))
    qtbot.wait(50)
    assert panel.cell("big").zoom < 2 and "(reduced)" in panel.cell("big").text
    panel.resize(120, 300)  # a narrow cell cuts the title in the middle: the mark stays in sight
    qtbot.waitUntil(lambda: "…" in panel.cell("big").title.text, timeout=5_000)
    assert panel.cell("big").title.text.endswith("(reduced)")
    panel.resize(1400, 1100)
    qtbot.waitUntil(lambda: panel.cell("big").zoom >= 2, timeout=5_000)
    assert "(reduced)" not in panel.cell("big").text
