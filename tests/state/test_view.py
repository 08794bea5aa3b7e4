"""The view state on its own (no Qt, no torch): one value, a generation per change, listeners
told once, the parameters of the old model forgotten with a switch, the worker's request made
from it, and what is in force taken back."""

from __future__ import annotations

import pytest

from viz_app.records.frames import NormMode
from viz_app.records.panels import AugmentParams, UnitParams
from viz_app.state.options import RunOptions
from viz_app.state.view import ModelChoice, ModelRequest, ViewModel, ViewState, WorkerRequest, request_of


def _watched() -> tuple[ViewModel, list[tuple[ViewState, ViewState]]]:
    view = ViewModel()
    heard: list[tuple[ViewState, ViewState]] = []
    view.subscribe(lambda new, old: heard.append((new, old)))
    return view, heard


def test_a_change_makes_a_new_state_with_the_next_generation_and_tells_once() -> None:
    view, heard = _watched()
    first = view.state
    assert view.update(norm=NormMode.FIXED)
    assert view.state.generation == first.generation + 1 and view.state.norm is NormMode.FIXED
    assert heard == [(view.state, first)] and first.norm is NormMode.PER_LAYER  # the old state is untouched
    assert not view.update(norm=NormMode.FIXED)  # nothing changed: nobody is told, no new generation
    assert len(heard) == 1 and view.state.generation == first.generation + 1


def test_a_switch_forgets_the_parameters_that_named_the_old_models_parts() -> None:
    view, _ = _watched()
    view.show_tab("unit", UnitParams("c3", 2))
    view.set_params("augment", {"seed": 4})
    assert view.choose_model("lenet5_1998")
    assert view.state.model == ModelChoice("lenet5_1998")
    assert view.state.params == {"unit": None, "augment": AugmentParams(seed=4)}  # the unit was the old model's
    assert not view.choose_model("lenet5_1998")  # the same model again: no change


def test_the_request_asks_for_the_extra_of_the_panel_in_view_only_with_the_layers_chosen_for_the_model() -> None:
    view, _ = _watched()
    view.choose_layers(("c1", "c3"))
    view.choose_layers(("c1",), model="lenet5_1998")
    view.set_params("augment", AugmentParams(seed=1))
    assert request_of(view.state).models == (ModelRequest(ModelChoice("lenet5"), ("c1", "c3"), NormMode.PER_LAYER, ()),)
    view.show_tab("augment")
    assert request_of(view.state).models[0].extras == (("augment", AugmentParams(seed=1)),)
    view.show_tab("Layers")
    view.choose_model("lenet5_1998")
    request = request_of(view.state)
    assert request.models[0].layers == ("c1",) and request.models[0].extras == () and request.generation == view.state.generation


def test_the_same_work_is_recognised_whatever_the_generation() -> None:
    view, _ = _watched()
    before = request_of(view.state)
    view.update(pen_width=20)  # the window's own part: the worker computes the same
    assert request_of(view.state).same_work(before) and request_of(view.state).generation != before.generation
    view.update(run=RunOptions("cpu", "bf16"))
    assert not request_of(view.state).same_work(before)


def test_parameters_that_do_not_fit_their_panel_are_refused_and_change_nothing() -> None:
    view, heard = _watched()
    with pytest.raises(ValueError, match="from 0 to 1"):
        view.set_params("augment", {"strength": {"flip": 2.0}})
    with pytest.raises(ValueError, match="has no parameter 'k'"):
        view.show_tab("se", {"k": 3})
    assert heard == [] and view.state.params == {}


def test_what_is_in_force_is_taken_back_after_a_refusal() -> None:
    view, _ = _watched()
    view.show_tab("unit", UnitParams("c3", 99))
    view.choose_model("nosuchmodel")
    in_force = WorkerRequest(3, RunOptions(), (ModelRequest(ModelChoice("lenet5"), None, NormMode.PER_LAYER, ()),))
    assert view.accept(in_force)
    assert view.state.model == ModelChoice("lenet5") and view.state.params["unit"] is None
    assert request_of(view.state).same_work(in_force)  # the view and the worker agree


def test_weights_rewritten_in_place_are_a_new_revision_of_the_same_choice() -> None:
    view, _ = _watched()
    view.choose_model("lenet5", "/tmp/live.pt")
    assert view.reload_weights() and view.state.model == ModelChoice("lenet5", "/tmp/live.pt", 1)
    assert not request_of(view.state).same_work(WorkerRequest.of_model("lenet5", "/tmp/live.pt"))
