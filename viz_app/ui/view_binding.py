"""The window and its view state kept in step: what the user chooses goes in, a state taken back
(the worker could not apply a request, or settings were read) comes out in the widgets."""

from __future__ import annotations

from typing import Any

from viz_app.records.frames import NormMode
from viz_app.state.view import ViewState


def bind_to_view(window: Any) -> None:
    """``window`` (a MainWindow) writes its model, layer and colour choices into ``window.view``,
    and its model picker and colour picker follow the view's state."""
    view = window.view

    def on_model_requested(name: str, weights: object) -> None:
        if window.trust.allows(name):  # a Python file is code: asked once per content
            view.choose_model(name, str(weights) if weights else None)
            return
        index = window.model_picker.findData(view.state.model.name)  # not opened: the picker shows the model in force
        if index >= 0:
            window.model_picker.setCurrentIndex(index)
        window.show_message(f"{name} was not opened: its code did not run")

    window.model_requested.connect(on_model_requested)
    window.layers_requested.connect(lambda paths: view.choose_layers(tuple(paths)))

    def on_norm_picked(index: int) -> None:
        mode = NormMode(window.norm_picker.itemData(index))
        window.colour_scale.set_mode(mode)
        view.update(norm=mode)

    window.norm_picker.currentIndexChanged.connect(on_norm_picked)

    def follow(state: ViewState, old: ViewState) -> None:
        if state.model != old.model:
            index = window.model_picker.findData(state.model.name)
            if index >= 0 and index != window.model_picker.currentIndex():
                window.model_picker.setCurrentIndex(index)
        if state.norm != old.norm and window.norm_picker.currentData() != state.norm.value:
            window.norm_picker.setCurrentIndex(window.norm_picker.findData(state.norm.value))

    view.subscribe(follow)
