"""The app's state, in one place: what the window shows and how, which the worker follows.

``ViewState`` is one immutable value: the model and its weights, the layers chosen per model,
the colouring, the side tab in view with every insight panel's parameters, freeze, string
mode, how models run (``RunOptions``) and what the window remembers between runs (its input
tab, camera, pen, folders, geometry), with a ``generation`` that grows with every change.
``ViewModel`` holds the current one: the window's widgets write to it (``choose_model``,
``choose_layers``, ``set_params``...), and listeners hear each new state with the one before
(napari's ``ViewerModel`` and its Qt view work the same way). Settings are read into it at start
and written from it at close, nowhere else.

The worker gets ``WorkerRequest``s made from it (``request_of``): whole requests, latest wins,
each telling every model shown (one; two side by side in a compare view) what to compute. It
applies what differs from what is in force, runs the last frame once and tags every result
with the request's generation; a request it cannot apply leaves the previous one in force and
says so, and the view model takes back what is in force (``accept``).

No Qt and no torch here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from viz_app.records.frames import NormMode
from viz_app.state.options import DEFAULT_RUN, RunOptions
from viz_app.state.panels import PANELS, panel_keys, panel_spec


@dataclass(frozen=True)
class ModelChoice:
    """A model to show: its name (registered, ``torchvision:NAME`` or a file) and the weights
    file chosen for it (None: its own). ``revision`` grows when that file was rewritten in place
    (weights trained live): the worker reloads them into the model shown, hooks and all kept."""

    name: str
    weights: str | None = None
    revision: int = 0


@dataclass(frozen=True)
class ModelRequest:
    """What the worker computes for one model shown: its layers (None: the model's defaults),
    the colouring and the extras of the panels in view with their parameters."""

    model: ModelChoice
    layers: tuple[str, ...] | None = None
    norm: NormMode = NormMode.PER_LAYER
    extras: tuple[tuple[str, Any], ...] = ()  # (panel key, its parameters dataclass)


@dataclass(frozen=True)
class WorkerRequest:
    """Everything the worker needs, as of view generation ``generation``."""

    generation: int
    run: RunOptions
    models: tuple[ModelRequest, ...]

    @classmethod
    def of_model(cls, name: str, weights: str | None = None, run: RunOptions = DEFAULT_RUN, generation: int = 0,
                 **shown: Any) -> WorkerRequest:  # fmt: skip
        """A request for one model (benches, tests and tools that drive the worker without a window);
        ``shown``: the ModelRequest's other fields (layers, norm, extras)."""
        return cls(generation, run, (ModelRequest(ModelChoice(name, weights), **shown),))

    def same_work(self, other: WorkerRequest | None) -> bool:
        """Whether ``other`` asks for the very same computation (its generation aside)."""
        return other is not None and other.run == self.run and other.models == self.models


@dataclass(frozen=True)
class ViewState:
    """What the window shows and how, and what it remembers; see the module's docstring."""

    model: ModelChoice = ModelChoice("lenet5")
    compare: ModelChoice | None = None  # a second model on the same frame, side by side
    layers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # chosen per model name; absent: its defaults
    norm: NormMode = NormMode.PER_LAYER
    tab: str = ""  # the side tab in view: an insight panel's key, or a fixed tab's title
    params: Mapping[str, Any] = field(default_factory=dict)  # each insight panel's parameters (absent or None: nothing asked)
    frozen: bool = False
    string_mode: bool = False
    run: RunOptions = DEFAULT_RUN
    # The window's own parts, remembered between runs (None: never set, the window's default):
    pen_width: int | None = None
    source: str | None = None  # the input tab's source kind: "pad", "camera", "file", "mnist", "demo"
    camera_index: int | None = None
    resolution: tuple[int, int] | None = None
    roi: tuple[int, int, int, int] | None = None
    snapshot_folder: str | None = None
    record_format: str | None = None
    geometry: bytes | None = None
    window_state: bytes | None = None
    generation: int = 0


def request_of(state: ViewState) -> WorkerRequest:
    """The worker's request for ``state``: the model (and the compared one) with its layers and
    colouring, and the extra of the insight panel in view if it asks for one."""
    extras: tuple[tuple[str, Any], ...] = ()
    if state.tab in panel_keys() and state.params.get(state.tab) is not None:
        extras = ((state.tab, state.params[state.tab]),)
    shown = [state.model] + ([state.compare] if state.compare is not None else [])
    models = tuple(ModelRequest(choice, state.layers.get(choice.name), state.norm, extras) for choice in shown)
    return WorkerRequest(state.generation, state.run, models)


Listener = Callable[[ViewState, ViewState], None]


class ViewModel:
    """Holds the current ViewState; every change makes a new one with the next generation and
    tells the listeners (new state, old state). A change that changes nothing tells no one."""

    def __init__(self, state: ViewState | None = None) -> None:
        self._state = state or ViewState()
        self._listeners: list[Listener] = []

    @property
    def state(self) -> ViewState:
        """The current state."""
        return self._state

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(new, old)`` after every change."""
        self._listeners.append(listener)

    def update(self, **changes: Any) -> bool:
        """Change these fields; True if anything changed (then the listeners have been told)."""
        old = self._state
        new = replace(old, **changes)
        if replace(new, generation=old.generation) == old:
            return False
        self._state = replace(new, generation=old.generation + 1)
        for listener in list(self._listeners):
            listener(self._state, old)
        return True

    # --- what the window's widgets write ----------------------------------------------------------
    def choose_model(self, name: str, weights: str | None = None) -> bool:
        """Show model ``name`` (with ``weights``, or its own). The parameters that named parts of
        the old model (a selected unit) are forgotten in the same change."""
        choice = ModelChoice(name, weights)
        if choice == self._state.model:
            return False
        bound = {spec.key for spec in PANELS if spec.model_bound}
        params = {key: (None if key in bound else value) for key, value in self._state.params.items()}
        return self.update(model=choice, params=params)

    def reload_weights(self) -> bool:
        """The model's weights file was rewritten (trained live): reload it into the model shown."""
        model = self._state.model
        return self.update(model=replace(model, revision=model.revision + 1))

    def choose_layers(self, paths: tuple[str, ...] | list[str], model: str | None = None) -> bool:
        """Show these layers of ``model`` (default: the one shown), remembered per model."""
        name = model or self._state.model.name
        return self.update(layers={**self._state.layers, name: tuple(paths)})

    def set_params(self, key: str, params: Any) -> bool:
        """Panel ``key`` asks for ``params`` (its parameters dataclass, a mapping of its fields,
        or None for nothing); a ValueError, and no change, when they do not fit the panel."""
        typed = None if params is None else panel_spec(key).make_params(params)
        return self.update(params={**self._state.params, key: typed})

    def show_tab(self, tab: str, params: Any = ...) -> bool:
        """The side tab ``tab`` comes into view (an insight panel's key, or a fixed tab's title),
        asking for ``params`` if given."""
        if params is ...:
            return self.update(tab=tab)
        typed = None if params is None else panel_spec(tab).make_params(params)
        return self.update(tab=tab, params={**self._state.params, tab: typed})

    # --- what the worker answers -----------------------------------------------------------------
    def accept(self, applied: WorkerRequest) -> bool:
        """The worker could not apply a request: take back what is in force (model, layers,
        colouring and the parameters of the extras it runs), so that view and worker agree."""
        if not applied.models:
            return False
        shown = applied.models[0]
        layers = dict(self._state.layers)
        if shown.layers is None:
            layers.pop(shown.model.name, None)
        else:
            layers[shown.model.name] = shown.layers
        params = dict(self._state.params)
        if self._state.tab in panel_keys():
            params[self._state.tab] = dict(shown.extras).get(self._state.tab)
        return self.update(model=shown.model, layers=layers, norm=shown.norm, params=params)
