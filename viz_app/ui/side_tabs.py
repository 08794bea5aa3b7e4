"""The right-hand tabs: layer picker, costs and model zoo, then every registered insight panel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, cast

from PySide6.QtWidgets import QWidget

from viz_app.records.frames import ModelInfo
from viz_app.state.panels import PANELS
from viz_app.state.view import ViewModel
from viz_app.ui.flow_tabs import FlowTabs
from viz_app.ui.panels.base import Panel, check_panel_class


class SideTabs(FlowTabs):
    """Fixed tabs first, then one tab per registered insight panel (``viz_app.state.panels``), in its order.

    The tab in view and every panel's parameters are written into the view state: only the
    panel in view has its extra running (each costs frame time), and the worker follows the
    view. A fixed tab is named in the view by its title, an insight panel by its key. The
    tabs' names wrap onto rows, so every one is a click away on the smallest screen.
    """

    def __init__(self, fixed: Sequence[tuple[QWidget, str]], view: ViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        for widget, title in fixed:
            self.addTab(widget, title)
        self._panels: dict[str, Panel] = {}
        for spec in PANELS:
            panel_class = check_panel_class(spec.load_widget(), f"{spec.key!r} ({spec.widget})")
            panel = cast(Panel, panel_class())
            self._panels[spec.key] = panel
            self.addTab(cast(QWidget, panel), spec.title)
            panel.params_changed.connect(partial(self._on_params_changed, spec.key))
        self.currentChanged.connect(self._on_current_changed)
        self._on_current_changed(self.currentIndex())

    @property
    def panels(self) -> dict[str, Panel]:
        """The insight panels by registry key, in tab order."""
        return dict(self._panels)

    def panel(self, key: str) -> Panel:
        """The insight panel registered under ``key``."""
        return self._panels[key]

    def key_of(self, widget: QWidget | None) -> str:
        """How the view names the tab of ``widget``: its panel's key, or the fixed tab's title."""
        key = next((k for k, p in self._panels.items() if p is widget), None)
        return key if key is not None else self.tabText(self.indexOf(widget)) if widget is not None else ""

    def show_records(self, extras: Mapping[str, Any]) -> None:
        """Hand each panel its record of this frame, where the frame has one."""
        for key, panel in self._panels.items():
            record = extras.get(key)
            if record is not None:
                panel.show_record(record)

    def model_changed(self, info: ModelInfo) -> None:
        """Tell every panel (what they asked of the old model is already forgotten by the view)."""
        for panel in self._panels.values():
            panel.model_changed(info)

    def _on_current_changed(self, _index: int) -> None:
        """The tab in view, and its panel's parameters as they are now, go into the view state."""
        shown = self.currentWidget()
        key = self.key_of(shown)
        if key in self._panels:
            self._view.show_tab(key, self._panels[key].params())
        else:
            self._view.show_tab(key)

    def _on_params_changed(self, key: str, params: object) -> None:
        """A panel's own controls changed its parameters."""
        self._view.set_params(key, params)
