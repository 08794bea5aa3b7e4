"""The unit tab's "what it learned" part: nine digits with value and label, the current input on
their scale, the favourite input, and the message that says how to get an index."""

from __future__ import annotations

import numpy as np

from viz_app.records.frames import ModelInfo
from viz_app.records.units import Favourite, FavouriteRequest, TopImages, UnitInsight
from viz_app.ui.panels.unit_panel import UnitPanel

INFO = ModelInfo("lenet5", "LeNet-5", "MNIST zoo", "CPU", tuple("0123456789"), (32, 32), 1, "/x/lenet5.pt", True)


def record(top: TopImages | None, message: str = "", value: float = 3.0) -> UnitInsight:
    activation = np.zeros((10, 10), np.float32)
    activation[4, 6] = value
    return UnitInsight("c3", 2, activation, np.zeros((32, 32), np.uint8), None, top=top, top_message=message, peak=(4, 6))


def top_images() -> TopImages:
    crops = np.stack([np.full((14, 14), 20 * i, np.uint8) for i in range(9)])
    return TopImages(crops, np.linspace(6.0, 4.0, 9, dtype=np.float32), np.arange(9), np.arange(100, 109), 0.5, False)


def panel_with_top(qtbot) -> UnitPanel:
    """The Unit tab with C3 unit 2 selected and its nine strongest digits drawn."""
    panel = UnitPanel()
    qtbot.addWidget(panel)
    panel.model_changed(INFO)
    panel.select("c3", 2)
    panel.show_record(record(top_images()))
    return panel


def test_the_top_digits_and_the_scale(qtbot) -> None:
    panel = panel_with_top(qtbot)
    learned = panel.learned
    assert [t.pixmap().isNull() for t in learned.tiles] == [False] * 9
    assert learned.captions[0].text() == "0: 6" and learned.captions[8].text() == "8: 4"
    assert "3 = 0.50x its best" in learned.current.text()
    assert not learned.message.isVisibleTo(panel)
    request = panel.favourite_request()
    assert request == FavouriteRequest("lenet5", "/x/lenet5.pt", "c3", 2)
    with qtbot.waitSignal(panel.favourite_requested) as asked:
        learned.button.click()
    assert asked.args == [request] and "computing" in learned.dream_caption.text()
    panel.show_favourite(Favourite(request, np.zeros((32, 32), np.uint8), 12.0, 0.1, 0.8, 160))
    assert not learned.dream.pixmap().isNull()
    assert "reaches 12 = 2.00x its best digit and 24x its mean" in learned.dream_caption.text()
    other = FavouriteRequest("lenet5", "/x/lenet5.pt", "c3", 3)
    panel.favourite_failed(other, "boom")  # another unit's: not shown
    assert "boom" not in learned.dream_caption.text()


def test_a_model_without_an_index_shows_the_message(qtbot) -> None:
    panel = UnitPanel()
    qtbot.addWidget(panel)
    panel.resize(320, 400)
    panel.show()
    panel.model_changed(INFO)
    panel.select("c3", 2)
    panel.show_record(record(None, "No top images yet: run `cnn-viz index lenet5` (one pass over the MNIST test digits)."))
    learned = panel.learned
    assert learned.message.isVisibleTo(panel) and "cnn-viz index lenet5" in learned.message.text()
    assert [t.pixmap().isNull() for t in learned.tiles] == [True] * 9
    assert learned.current.text() == "this input: 3"


def test_side_by_side_when_wide(qtbot) -> None:
    from PySide6.QtCore import Qt

    panel = UnitPanel()
    qtbot.addWidget(panel)
    panel.resize(700, 360)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.split.orientation() == Qt.Orientation.Horizontal
    panel.resize(320, 600)
    qtbot.waitUntil(lambda: panel.split.orientation() == Qt.Orientation.Vertical, timeout=20_000)


def test_the_digits_grow_with_the_room_and_never_widen_the_tab(qtbot) -> None:
    panel = panel_with_top(qtbot)
    panel.resize(300, 220)  # a side tab at 1280x720
    panel.show()
    qtbot.waitExposed(panel)
    learned = panel.learned
    narrow = learned.tile
    assert learned.width() <= panel.scroll.viewport().width()  # nothing runs off the tab's right edge
    assert panel.split.sizes()[0] > 0.4 * 220  # the zoom's pictures get their half of a low tab
    panel.resize(760, 700)  # presented
    qtbot.waitUntil(lambda: learned.tile > 2 * narrow // 1.5, timeout=3000)
    assert learned.tile >= 72 and learned.tiles[0].pixmap().width() == learned.tile
    assert learned.width() <= panel.scroll.viewport().width()
    assert panel.scroll.minimumWidth() == learned.narrowest() + 16  # the minimum is the narrow layout's, not the grown one's
