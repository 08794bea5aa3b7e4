"""The insight panels, one line each: the extra a panel shows, its tab title, and its class.

The window builds its side tabs from ``PANELS`` in this order, ``cnn-viz bench panel``
checks its argument against it and the CLI lists its keys in ``--help``. Each key is also the
key of the per-frame extra in ``viz_app.probe.extras.EXTRAS`` that computes the panel's
record. Modelled on napari's ``layer_to_controls``.

No Qt here: ``cnn-viz models`` or ``summary`` read this on a server without Qt's libraries,
so a panel class is named as "module:Class" and imported only when the window is built.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class PanelEntry:
    """One side tab: its title and where its panel class lives ("package.module:Class")."""

    title: str
    target: str

    def load(self) -> type:
        """Import the panel class (this is where Qt gets imported)."""
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)


PANELS: dict[str, PanelEntry] = {
    "se": PanelEntry("SE gates", "viz_app.ui.panels.se_weights:SEWeightsPanel"),
    "augment": PanelEntry("Augment", "viz_app.ui.panels.augmentations:AugmentationsPanel"),
    "unit": PanelEntry("Unit", "viz_app.app.favourite:UnitTab"),
    "filters": PanelEntry("Filters", "viz_app.ui.panels.filters:FiltersPanel"),
    "saliency": PanelEntry("Looks at", "viz_app.ui.panels.saliency:SaliencyPanel"),
    "sdnn": PanelEntry("String", "viz_app.ui.panels.sdnn_panel:SDNNPanel"),
}

UNIT_PANEL = "unit"  # the panel a click on a feature map opens; it has select(layer, index)


def panel_keys() -> list[str]:
    """The registered panels' keys, in tab order."""
    return list(PANELS)


def panel_help() -> str:
    """The panels as the CLI lists them: "se (SE gates), augment (Augment), ..."."""
    return ", ".join(f"{key} ({entry.title})" for key, entry in PANELS.items())


def check_panel_key(key: str) -> str:
    """``key`` if a panel is registered under it; otherwise a ValueError listing the known ones."""
    if key not in PANELS:
        raise ValueError(f"no panel {key!r}; known: {', '.join(PANELS)}")
    return key
