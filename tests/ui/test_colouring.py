"""Layer images coloured with one 32-bit lookup: the colour map's colours, drawn as such, and faster."""

import time

import numpy as np
from PySide6.QtGui import QColor

from viz_app.records.frames import LayerImage
from viz_app.ui.colours import lut
from viz_app.ui.panels.colouring import coloured
from viz_app.ui.panels.feature_maps import FeatureMapsPanel


def test_coloured_is_the_colour_map_opaque() -> None:
    image = np.random.default_rng(0).integers(0, 256, (37, 53), dtype=np.uint8)
    for signed in (False, True):
        rgba = coloured(image, signed)
        assert rgba.shape == (37, 53, 4) and rgba.dtype == np.uint8
        np.testing.assert_array_equal(rgba[..., :3], lut(signed)[image])
        assert (rgba[..., 3] == 255).all()


def test_coloured_beats_indexing_the_rgb_table() -> None:
    """A ResNet's first mosaics are 448 x 448: the lookup is GUI-thread time on every frame."""
    image = np.random.default_rng(1).integers(0, 256, (448, 448), dtype=np.uint8)
    table = lut(False)

    def best(f) -> float:
        times = []
        for _ in range(15):
            t0 = time.thread_time()
            f()
            times.append(time.thread_time() - t0)
        return min(times)

    assert best(lambda: coloured(image, False)) * 2 < best(lambda: table[image])


def test_the_panel_draws_the_colour_map(qtbot) -> None:
    panel = FeatureMapsPanel()
    qtbot.addWidget(panel)
    value = 200
    layer = LayerImage("c1", "c1 4@6x6", (4, 6, 6), np.full((12, 12), value, np.uint8), (2, 2), (6, 6), 0.0, 1.0, False)
    panel.show_layers((layer,))
    np.testing.assert_array_equal(panel.cell_image("c1"), lut(False)[layer.image])
    item = panel.cell("c1").image
    item.render()  # what pyqtgraph paints from
    assert item.qimage is not None
    assert item.qimage.pixelColor(3, 3) == QColor(*(int(c) for c in lut(False)[value]))
