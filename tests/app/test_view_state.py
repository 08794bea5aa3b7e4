"""The window, its view state and the worker agree: a request the worker cannot apply leaves
what was in force, the window says why and the view takes it back; weights rewritten while the
model is shown are loaded into it in place (what training live in the window will do)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import torch
from worker_queue import drain

from viz_app.paths import assets_dir
from viz_app.records.frames import Frame, FrameResult
from viz_app.records.panels import UnitParams
from viz_app.state.view import ModelChoice, request_of


def _agree(session) -> bool:  # noqa: ANN001
    """The worker computes what the view asks for."""
    return request_of(session.view.state).same_work(session.inference.worker.applier.applied)


def _ink() -> np.ndarray:
    ink = np.zeros((280, 280), np.uint8)
    ink[60:220, 125:155] = 255
    return ink


def test_a_model_that_does_not_open_leaves_the_one_in_force_and_the_view_takes_it_back(qtbot, lenet_session) -> None:
    session = lenet_session
    window, worker = session.window, session.inference.worker
    window.model_requested.emit("nosuchmodel", None)
    assert session.view.state.model == ModelChoice("nosuchmodel")  # asked for
    qtbot.waitUntil(lambda: "unknown model 'nosuchmodel'" in window.messages.text(), timeout=30_000)
    drain(qtbot, worker)
    assert "still showing LeNet-5" in window.messages.text()
    assert session.view.state.model == ModelChoice("lenet5") and window.model_picker.currentData() == "lenet5"
    assert window.model is not None and window.model.name == "lenet5" and _agree(session)


def test_parameters_the_model_cannot_take_leave_the_extra_in_force(qtbot, lenet_session) -> None:
    session = lenet_session
    window, worker = session.window, session.inference.worker
    window.maps.unit_clicked.emit("c3", 2)
    drain(qtbot, worker)
    assert dict(worker.applier.applied.models[0].extras) == {"unit": UnitParams("c3", 2)}
    session.view.set_params("unit", UnitParams("c3", 99))  # C3 has 16 maps
    qtbot.waitUntil(lambda: "there is no channel 99" in window.messages.text(), timeout=30_000)
    drain(qtbot, worker)
    assert session.view.state.params["unit"] == UnitParams("c3", 2) and _agree(session)
    assert [e.key for e in worker.pipeline.extras] == ["unit"]


@pytest.mark.slow
def test_weights_rewritten_while_shown_are_loaded_into_the_model_in_place(qtbot, lenet_session, tmp_path: Path) -> None:
    session = lenet_session
    window, worker = session.window, session.inference.worker
    live = tmp_path / "live.pt"
    state = torch.load(assets_dir() / "lenet5.pt", weights_only=True)
    torch.save(state, live)
    results: list[FrameResult] = []
    window.result_shown.connect(lambda result, _t: results.append(result))
    window.model_requested.emit("lenet5", str(live))
    qtbot.waitUntil(lambda: worker.pipeline is not None and worker.pipeline.loaded.weights == str(live), timeout=30_000)
    pipeline, calibrations = worker.pipeline, worker.applier.calibrations
    worker.submit(Frame(_ink(), time.perf_counter(), 1))
    qtbot.waitUntil(lambda: any(r.seq == 1 for r in results), timeout=30_000)
    assert results[-1].classes[results[-1].prediction] == "1"
    bias = next(k for k in state if k.endswith("bias") and state[k].numel() == 10)  # the output layer's
    state[bias] = state[bias] + torch.nn.functional.one_hot(torch.tensor(7), 10) * 100.0  # now it always says 7
    torch.save(state, live)
    session.view.reload_weights()
    qtbot.waitUntil(lambda: results[-1].generation == session.view.state.generation, timeout=30_000)
    assert results[-1].seq == 1 and results[-1].classes[results[-1].prediction] == "7"  # the last frame, with the new weights
    assert worker.pipeline is pipeline and worker.applier.calibrations == calibrations  # the same model, hooks and all
    assert _agree(session)
