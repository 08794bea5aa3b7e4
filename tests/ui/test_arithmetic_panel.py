"""The Arithmetic tab in the real window: a click on a map explains a unit of it, live as the pen
moves; a chosen row and column stay; a layer it cannot explain says why and the window goes on."""

from __future__ import annotations

import pytest
from ui.pen import click_map
from ui.pen import draw as draw_digit

from viz_app.records.arithmetic import UnitArithmetic


def draw(window, digit: int) -> None:  # noqa: ANN001
    window.pad.clear()
    draw_digit(window, digit)



@pytest.fixture()
def records(lenet_session):
    """Every arithmetic record the window is handed."""
    seen: list[UnitArithmetic] = []
    lenet_session.window.result_shown.connect(lambda r, _t: seen.append(r.extras["arithmetic"]) if "arithmetic" in r.extras else None)
    return seen


def test_a_click_explains_the_unit_and_the_numbers_follow_the_pen(lenet_session, records, qtbot) -> None:
    window = lenet_session.window
    panel = window.panel("arithmetic")
    draw(window, 3)
    qtbot.waitUntil(lambda: window.probabilities.prediction.text() == "3", timeout=10_000)
    window.side.setCurrentWidget(panel)
    click_map(window, "c3", (0.3, 0.1))  # a map clicked with the Arithmetic tab in view: it stays in view
    qtbot.waitUntil(lambda: bool(records), timeout=10_000)
    assert window.side.currentWidget() is panel and panel.selection is not None and panel.selection[0] == "c3"
    first = records[-1]
    assert first.layer == "c3.0" and first.kind == "conv" and len(first.terms) == 6 and first.error < 1e-5
    assert [a.what for a in first.after] == ["ReLU"]
    assert f"{first.pre_activation:+.4g}" in panel.total.text() and "ReLU" in panel.total.text()
    qtbot.waitUntil(lambda: panel.view.rows_drawn >= 1 and panel.view.cell >= 1, timeout=10_000)  # once painted
    draw(window, 7)  # the pen moves: the arithmetic of the same channel, for the new input
    qtbot.waitUntil(lambda: window.probabilities.prediction.text() == "7" and records[-1].hooked != first.hooked, timeout=10_000)
    assert records[-1].unit[0] == first.unit[0]

    panel.strongest.setChecked(False)  # a position chosen by hand stays where it is
    panel.row.setValue(2)
    panel.column.setValue(3)
    qtbot.waitUntil(lambda: records[-1].unit == (first.unit[0], 2, 3), timeout=10_000)
    assert panel.title.text().startswith("c3.0, unit") and "row 2, column 3" in panel.title.text()


def test_another_tab_in_view_a_click_opens_the_unit_tab_as_before(lenet_session, qtbot) -> None:
    window = lenet_session.window
    draw(window, 3)
    qtbot.waitUntil(lambda: window.probabilities.prediction.text() == "3", timeout=10_000)
    window.side.setCurrentWidget(window.layer_picker)
    click_map(window, "c1", (0.2, 0.2))
    assert window.side.currentWidget() is window.panel("unit")
    assert window.panel("arithmetic").selection == window.panel("unit").selection  # it took the unit too


def test_lenet5_1998_c3_shows_its_row_of_the_paper_table_and_a_custom_layer_says_why(lenet_session, records, qtbot) -> None:
    from viz_app.models.zoo.lenet5_1998 import C3_TABLE

    window = lenet_session.window
    window.model_requested.emit("lenet5_1998", None)
    qtbot.waitUntil(lambda: window.model is not None and window.model.name == "lenet5_1998", timeout=60_000)
    draw(window, 3)
    panel = window.panel("arithmetic")
    window.side.setCurrentWidget(panel)
    panel.select("c3", 9)
    qtbot.waitUntil(lambda: bool(records) and records[-1].layer == "c3.0", timeout=10_000)
    record = records[-1]
    assert [t.channel for t in record.terms] == list(C3_TABLE[9]) and record.error < 1e-5  # C3 map 9 reads S2 maps 0, 3, 4, 5
    assert panel.table.table == C3_TABLE and panel.table.column == 9
    assert panel.table.isVisible() == (panel.height() >= 400)  # whole, where there is room: presented
    window.presentation.present(window.side.indexOf(panel))
    qtbot.waitUntil(lambda: panel.table.isVisible(), timeout=5_000)
    window.presentation.present(None)
    window.set_presentation(False)
    assert [a.what for a in record.after] == ["ScaledTanh"]
    panel.select("output", 0)  # the Euclidean RBF: a custom operation
    qtbot.waitUntil(lambda: any("custom" in m for m in window.messages.messages), timeout=10_000)
    message = next(m for m in window.messages.messages if "custom" in m)
    assert "Traceback" not in message and "arithmetic" in message
    draw(window, 7)
    qtbot.waitUntil(lambda: window.probabilities.prediction.text() == "7", timeout=10_000)
