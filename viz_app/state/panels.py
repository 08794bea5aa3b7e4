"""The insight panels, one typed line each: the one registry the window and the worker both read.

A line gives a panel's key (also the key of its record in ``FrameResult.extras``), its side
tab's title, the frozen dataclass of its parameters, and where its per-frame extra (probe side,
torch) and its widget (ui side, Qt) live, as "module:Class": this module imports neither, so
``cnn-viz --help``, ``models`` and ``summary`` read it on a machine without Qt's libraries, and
an extra or a widget is imported only when it is first used. Modelled on napari's
``layer_to_controls`` and torchvision's model registration.

A panel may declare what else the window can do with it (``capabilities``): open it on a click
on a feature map (``UNIT_CLICK``, with ``select(layer, index)``), or hand it the favourite-input
runner it needs (``FAVOURITES``, with ``set_favourites(runner)``). The window asks the registry,
never casts a panel by its key.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from viz_app.records.panels import ArithmeticParams, AugmentParams, NoParams, SaliencyParams, UnitParams

UNIT_CLICK = "unit-click"  # the panel a click on a feature map opens: select(layer, index)
FAVOURITES = "favourites"  # computes favourite inputs: set_favourites(runner) is called once the window is built


@dataclass(frozen=True)
class PanelSpec:
    """One insight panel of the side tabs."""

    key: str
    title: str
    params: type  # a frozen dataclass; ``params()`` is what the panel asks for by default
    extra: str  # "module:Class" of the per-frame extra that makes its record (``viz_app.probe.extras``)
    widget: str  # "module:Class" of the panel widget (``viz_app.ui.panels.base.Panel``)
    record: str = ""  # "module:Class" of the record the extra makes and the widget draws
    capabilities: frozenset[str] = frozenset()
    model_bound: bool = False  # its parameters name parts of the model shown (a unit): forgotten on a switch

    def load_extra(self) -> type:
        """The extra's class (this imports torch)."""
        return _load(self.extra)

    def load_widget(self) -> type:
        """The widget's class (this imports Qt)."""
        return _load(self.widget)

    def make_params(self, given: object = None) -> object:
        """``given`` as this panel's parameters: an instance as it is, a mapping field by field,
        None the defaults. A ValueError (one line) for a field it has not or a value out of range."""
        if isinstance(given, self.params):
            return given
        if given is None:
            return self.params()
        if not isinstance(given, Mapping):
            raise ValueError(f"the {self.key} panel's parameters are a {self.params.__name__}, not {type(given).__name__}")
        names = {f.name for f in dataclasses.fields(self.params)}
        unknown = sorted(set(given) - names)
        if unknown:
            raise ValueError(f"the {self.key} panel has no parameter {unknown[0]!r}; it takes {', '.join(sorted(names)) or 'none'}")
        try:
            return self.params(**given)
        except TypeError as exc:  # a required field missing
            raise ValueError(f"the {self.key} panel's parameters: {exc}") from None


def params_of(name: str, **defaults: Any) -> type:
    """A frozen parameters dataclass called ``name`` with these fields and defaults, for a panel
    registered in one line (``params=params_of("TopParams", k=3)``)."""
    return dataclasses.make_dataclass(name, [(key, type(value), dataclasses.field(default=value)) for key, value in defaults.items()], frozen=True)


PANELS: list[PanelSpec] = [
    PanelSpec("se", "SE gates", NoParams, "viz_app.probe.extras.se:SEExtra", "viz_app.ui.panels.se_weights:SEWeightsPanel",
              "viz_app.records.panels:SERecord"),
    PanelSpec("augment", "Augment", AugmentParams, "viz_app.probe.extras.augment:AugmentExtra",
              "viz_app.ui.panels.augmentations:AugmentationsPanel", "viz_app.records.panels:AugmentRecord"),
    PanelSpec("unit", "Unit", UnitParams, "viz_app.probe.extras.unit:UnitExtra", "viz_app.ui.panels.unit_panel:UnitPanel",
              "viz_app.records.units:UnitInsight", frozenset({UNIT_CLICK, FAVOURITES}), model_bound=True),
    PanelSpec("filters", "Filters", NoParams, "viz_app.probe.extras.filters:FiltersExtra", "viz_app.ui.panels.filters:FiltersPanel",
              "viz_app.records.panels:FiltersRecord"),
    PanelSpec("saliency", "Looks at", SaliencyParams, "viz_app.probe.extras.saliency:SaliencyExtra",
              "viz_app.ui.panels.saliency:SaliencyPanel", "viz_app.records.panels:SaliencyRecord"),
    PanelSpec("arithmetic", "Arithmetic", ArithmeticParams, "viz_app.probe.extras.arithmetic:ArithmeticExtra",
              "viz_app.ui.panels.arithmetic_panel:ArithmeticPanel", "viz_app.records.arithmetic:UnitArithmetic",
              frozenset({UNIT_CLICK}), model_bound=True),
    PanelSpec("sdnn", "String", NoParams, "viz_app.probe.extras.strings:StringExtra", "viz_app.ui.panels.sdnn_panel:SDNNPanel",
              "viz_app.records.strings:StringRecord"),
]  # fmt: skip  -- in tab order; a list, so that a test may add a panel for the time it runs


def panel_spec(key: str) -> PanelSpec:
    """The panel registered under ``key``; a KeyError that lists the known ones."""
    for spec in PANELS:
        if spec.key == key:
            return spec
    raise KeyError(f"no panel {key!r}; known: {', '.join(panel_keys())}")


def panel_keys() -> list[str]:
    """The registered panels' keys, in tab order."""
    return [spec.key for spec in PANELS]


def panel_help() -> str:
    """The panels as the CLI lists them: "se (SE gates), augment (Augment), ..."."""
    return ", ".join(f"{spec.key} ({spec.title})" for spec in PANELS)


def check_panel_key(key: str) -> str:
    """``key`` if a panel is registered under it; otherwise a ValueError listing the known ones."""
    if key not in panel_keys():
        raise ValueError(f"no panel {key!r}; known: {', '.join(panel_keys())}")
    return key


def with_capability(capability: str) -> list[PanelSpec]:
    """The panels that declare ``capability`` (UNIT_CLICK, FAVOURITES), in tab order."""
    return [spec for spec in PANELS if capability in spec.capabilities]


def _load(target: str) -> type:
    module, _, name = target.partition(":")
    loaded: type = getattr(importlib.import_module(module), name)
    return loaded
