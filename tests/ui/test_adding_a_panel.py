"""The README's "Adding a panel", done exactly as written and proven on the real window.

A panel is two new files, one extra (the computation, on the device, in the worker thread,
with the record it makes) and one panel (a QWidget keeping ``viz_app.ui.panels.base.Panel``),
and one line in the panel registry, ``viz_app.state.panels.PANELS``, that names both and the
panel's parameters. Here the example shows the k most probable classes; the test adds that
line with monkeypatch, opens the real window, draws a 7 and checks the new tab drew the top
classes of that frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QSpinBox, QVBoxLayout, QWidget

from viz_app.app.session import Session
from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.base import ExtraContext
from viz_app.records.frames import Frame, FrameResult, ModelInfo
from viz_app.sources.scripted import scaled_strokes
from viz_app.state.panels import PANELS, PanelSpec, params_of
from viz_app.ui.panels.base import Panel


@dataclass(frozen=True)
class TopClassesRecord:
    """The k most probable classes of one frame, most probable first (records/panels.py)."""

    classes: tuple[str, ...]
    probabilities: tuple[float, ...]


class TopClassesExtra:
    """The "top" extra (probe/extras/top_classes.py): the k most probable classes; its params have ``k``."""

    key = "top"
    grad_at: str | None = None  # no gradient needed: the frame stays in inference mode

    def __init__(self, loaded: LoadedModel, params: Any) -> None:
        self.k = params.k
        self.classes = loaded.spec.classes

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        values, indices = ctx.probabilities.topk(self.k)  # k, k (on the device)
        return [values, indices]

    def unpack(self, arrays: list[np.ndarray]) -> TopClassesRecord:
        values, indices = arrays
        return TopClassesRecord(tuple(self.classes[i] for i in indices), tuple(float(v) for v in values))

    def close(self) -> None:
        """No hooks to take off."""


class TopClassesPanel(QWidget):
    """The "top" panel (ui/panels/top_classes.py): the k most probable classes; a spin box sets k."""

    params_changed = Signal(object)  # {"k": int}: the view makes the panel's parameters of it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.k = QSpinBox(minimum=1, maximum=10, value=3)
        self.k.valueChanged.connect(lambda: self.params_changed.emit(self.params()))
        self.text = QLabel("Draw a digit")
        layout = QVBoxLayout(self)
        layout.addWidget(self.k)
        layout.addWidget(self.text)
        self.record: TopClassesRecord | None = None  # the record drawn last
        self.shown = 0

    def params(self) -> dict[str, Any]:
        return {"k": self.k.value()}

    def show_record(self, record: TopClassesRecord) -> None:
        self.text.setText("  ".join(f"{c}: {p:.0%}" for c, p in zip(record.classes, record.probabilities)))
        self.record = record
        self.shown += 1

    def model_changed(self, info: ModelInfo) -> None:
        self.text.setText("Draw a digit")


@pytest.fixture()
def registered() -> Iterator[None]:
    """The one registry line of the walk-through (here the two files are this test's module), for the test's time."""
    here = __name__
    line = PanelSpec("top", "Top classes", params_of("TopParams", k=3), f"{here}:TopClassesExtra", f"{here}:TopClassesPanel", f"{here}:TopClassesRecord")
    PANELS.append(line)
    yield
    PANELS.remove(line)


@pytest.fixture()
def session(registered: None, lenet_session):  # noqa: ANN001, ANN201
    """The window, opened after the example panel is registered."""
    return lenet_session


def _draw(window, digit: int) -> list[Frame]:  # noqa: ANN001
    """Draw ``digit`` on the pad with the scripted strokes; the frames the window sent on."""
    frames: list[Frame] = []
    window.frame_ready.connect(frames.append)
    for stroke in scaled_strokes(digit, window.pad.canvas.size):
        window.pad.stroke_begin(*stroke[0])
        for point in stroke[1:]:
            window.pad.stroke_to(*point)
    return frames


def test_a_new_panel_shows_a_record_computed_from_the_drawn_input(session: Session, qtbot) -> None:  # noqa: ANN001
    window = session.window
    panel = window.panel("top")
    assert isinstance(panel, TopClassesPanel) and isinstance(panel, Panel)
    assert window.side.tabText(window.side.indexOf(panel)) == "Top classes"
    shown: list[FrameResult] = []
    window.result_shown.connect(lambda result, _t: shown.append(result))

    window.side.setCurrentWidget(panel)  # in view: the window asks for the "top" extra
    last = _draw(window, 7)[-1]
    qtbot.waitUntil(lambda: bool(shown) and shown[-1].seq == last.seq and "top" in shown[-1].extras, timeout=15_000)
    result = shown[-1]
    assert panel.record is result.extras["top"]  # the panel drew the record of the drawn frame
    order = np.argsort(result.probabilities)[::-1][:3]
    assert panel.record.classes == tuple(result.classes[i] for i in order)
    np.testing.assert_allclose(panel.record.probabilities, result.probabilities[order], rtol=1e-5)
    assert panel.record.classes[0] == "7" and "7: " in panel.text.text()

    panel.k.setValue(5)  # the panel's own control: new params reach the extra while it is in view
    qtbot.waitUntil(lambda: panel.record is not None and len(panel.record.classes) == 5, timeout=15_000)

    window.side.setCurrentIndex(0)  # out of view: the extra is off and costs no frame time
    shown.clear()
    last = _draw(window, 1)[-1]
    qtbot.waitUntil(lambda: bool(shown) and shown[-1].seq == last.seq, timeout=15_000)
    assert "top" not in shown[-1].extras
