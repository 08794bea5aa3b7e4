"""The right-hand tabs: layer picker, costs and model zoo, then every registered insight panel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from viz_app.records.frames import ModelInfo
from viz_app.ui.panels.base import Panel, check_panel_class
from viz_app.ui.panels.registry import PANELS


class SideTabs(QTabWidget):
    """Fixed tabs first, then one tab per ``registry.PANELS`` entry, in its order.

    Only the panel in view has its extra running (each costs frame time): switching tabs
    emits ``extra_requested(key, params)`` for the panel coming into view and
    ``extra_requested(key, None)`` for every other one.
    """

    extra_requested = Signal(str, object)  # extra key, params dict or None (off)

    def __init__(self, fixed: Sequence[tuple[QWidget, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocumentMode(True)
        for widget, title in fixed:
            self.addTab(widget, title)
        self._panels: dict[str, Panel] = {}
        for key, entry in PANELS.items():
            panel_class = check_panel_class(entry.load(), f"{key!r} ({entry.target})")
            panel = cast(Panel, panel_class())
            self._panels[key] = panel
            self.addTab(cast(QWidget, panel), entry.title)
            panel.params_changed.connect(partial(self._on_params_changed, key))
        self.setUsesScrollButtons(True)
        self.currentChanged.connect(self._on_current_changed)

    @property
    def panels(self) -> dict[str, Panel]:
        """The insight panels by registry key, in tab order."""
        return dict(self._panels)

    def panel(self, key: str) -> Panel:
        """The insight panel registered under ``key``."""
        return self._panels[key]

    def show_records(self, extras: Mapping[str, Any]) -> None:
        """Hand each panel its record of this frame, where the frame has one."""
        for key, panel in self._panels.items():
            record = extras.get(key)
            if record is not None:
                panel.show_record(record)

    def model_changed(self, info: ModelInfo) -> None:
        """Tell every panel, then ask again for the extra of the panel in view."""
        for panel in self._panels.values():
            panel.model_changed(info)
        self.request_extras()

    def request_extras(self) -> None:
        """The panel in view's extra on with its params, every other one off."""
        shown = self.currentWidget()
        for key, panel in self._panels.items():
            self.extra_requested.emit(key, panel.params() if panel is shown else None)

    def _on_current_changed(self, _index: int) -> None:
        self.request_extras()

    def _on_params_changed(self, key: str, params: object) -> None:
        """A panel's own controls changed its params: pass them on only while it is in view."""
        if self.currentWidget() is self._panels[key]:
            self.extra_requested.emit(key, params)
