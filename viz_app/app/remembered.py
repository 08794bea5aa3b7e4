"""Carrying the Settings record to and from a live session: apply what was saved at start,
collect what is shown at close. Values the window cannot take are named in one message."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, SignalInstance
from PySide6.QtGui import QGuiApplication

from viz_app.app.lecture import LectureTools
from viz_app.app.recent import MAX_RECENT, is_opened_model, read_recent, write_recent
from viz_app.app.settings import Settings, read_settings, without_layout, write_settings
from viz_app.app.source_control import SourceController
from viz_app.ui.controls_bar import add_more_entry, add_recent_model
from viz_app.ui.main_window import MainWindow


class RememberedSettings(QObject):
    """Reads ``store`` once, applies it to the window, its sources and the lecture tools, and
    writes the window's state back on ``save()``."""

    def __init__(self, store: QSettings, models: list[str], window: MainWindow, sources: SourceController,
                 tools: LectureTools, summary_ready: SignalInstance) -> None:  # fmt: skip
        """``summary_ready``: the worker's signal that brings a model's layer choices (the saved
        layers are checked once the picker holds them)."""
        super().__init__(window)
        self.store, self.window, self.sources, self.tools = store, window, sources, tools
        self.recent = read_recent(store)
        add_more_entry(window.model_picker)
        for name, title in self.recent:
            add_recent_model(window.model_picker, name, title)
        self.settings, self.ignored = read_settings(store, [*models, *(name for name, _ in self.recent)])
        self._layers = dict(self.settings.layers)
        window.layers_requested.connect(self._on_layers_requested)
        summary_ready.connect(self._on_summary_ready)  # after the window's own handler: the picker is filled
        tools.layout_reset.connect(self._on_layout_reset)

    # --- at start ---------------------------------------------------------------------------------
    def apply(self) -> bool:
        """Apply everything but the model (the Session loads that); True if a saved geometry was
        restored. Ignored values end in one message in the window."""
        s, ignored = self.settings, list(self.ignored)
        restored = s.geometry is not None and self._restore_geometry(s.geometry)
        if s.geometry is not None and not restored:
            ignored.append("window geometry (not on any screen now)")
        if s.state is not None and not self.window.restoreState(s.state):
            ignored.append("toolbar layout")
        ignored += self._apply_controls(s)
        camera = self.sources.camera
        if s.camera_index is not None:
            camera.index = s.camera_index
        if s.resolution is not None:
            camera.resolution = s.resolution
        camera.saved_roi = s.roi
        if s.snapshot_folder is not None:
            self.tools.folder = Path(s.snapshot_folder)
        if s.record_format is not None:
            self.tools.set_record_format(s.record_format)
        if ignored:
            self.window.show_message("Some saved settings were ignored and their defaults used: " + "; ".join(ignored))
        return restored

    def apply_source(self) -> None:
        """Show the saved input tab and start its source (when no --source said otherwise)."""
        kind = self.settings.source
        if kind is not None and kind in {tab.kind for tab in self.sources.tabs}:
            self.sources.show(kind)
        elif kind is not None:
            self.window.show_message(f"The saved input {kind!r} is not one of this version's; showing the drawing pad")

    def _apply_controls(self, s: Settings) -> list[str]:
        """Colour mode, pen width and side tab; what could not be applied."""
        window, ignored = self.window, []
        if s.colour_mode is not None:
            window.norm_picker.setCurrentIndex(window.norm_picker.findData(s.colour_mode))
        if s.pen_width is not None:
            spin = window.pen_width
            if spin.minimum() <= s.pen_width <= spin.maximum():
                spin.setValue(s.pen_width)
            else:
                ignored.append(f"pen width {s.pen_width} (not in {spin.minimum()}-{spin.maximum()})")
        if s.side_tab is not None:
            titles = [window.side.tabText(i) for i in range(window.side.count())]
            if s.side_tab in titles:
                window.side.setCurrentIndex(titles.index(s.side_tab))
            else:
                ignored.append(f"side tab {s.side_tab!r}")
        return ignored

    def _restore_geometry(self, geometry: bytes) -> bool:
        """Restore ``geometry`` if the window then lies on a screen there is now; else keep the old one."""
        before = self.window.saveGeometry()
        if not self.window.restoreGeometry(geometry):
            return False
        frame = self.window.frameGeometry()
        if any(screen.availableGeometry().intersects(frame) for screen in QGuiApplication.screens()):
            return True
        self.window.restoreGeometry(before)
        return False

    # --- while running ----------------------------------------------------------------------------
    def _on_layers_requested(self, paths: list) -> None:
        if self.window.model is not None:
            self._layers[self.window.model.name] = tuple(paths)

    def _on_summary_ready(self, summary: object, choices: list, defaults: list) -> None:
        self._note_recent()
        model = self.window.model
        saved = self._layers.get(model.name) if model is not None and getattr(summary, "name", None) == model.name else None
        picker = getattr(self.window, "layer_picker", None)
        if saved is None or picker is None:
            return
        wanted = [path for path, _title in choices if path in set(saved)]
        if wanted and wanted != list(defaults):
            picker.set_chosen(wanted)

    def _note_recent(self) -> None:
        """A model opened from a file or by torchvision name: first in the recent list, shown in the picker."""
        model = self.window.model
        if model is None or not is_opened_model(model.name):
            return
        self.recent = [(model.name, model.title)] + [(n, t) for n, t in self.recent if n != model.name]
        del self.recent[MAX_RECENT:]
        picker = self.window.model_picker
        picker.setCurrentIndex(add_recent_model(picker, model.name, model.title))

    def _on_layout_reset(self) -> None:
        self.settings = without_layout(self.settings)

    # --- at close ---------------------------------------------------------------------------------
    def collect(self) -> Settings:
        """What the window shows now, as Settings (values never touched keep their saved ones)."""
        window, sources, camera = self.window, self.sources, self.sources.camera
        shown = window.inputs.currentIndex()
        source = next((tab.kind for tab in sources.tabs if sources.tab_index(tab.kind) == shown), self.settings.source)
        return replace(
            self.settings,
            geometry=bytes(window.saveGeometry().data()),
            state=bytes(window.saveState().data()),
            model=window.model.name if window.model is not None else self.settings.model,
            layers=dict(self._layers),
            colour_mode=window.norm_picker.currentData(),
            pen_width=window.pen_width.value(),
            side_tab=window.side.tabText(window.side.currentIndex()),
            source=source,
            camera_index=camera.index if isinstance(camera.index, int) else self.settings.camera_index,
            resolution=camera.resolution,
            roi=camera.panel.view.roi() or self.settings.roi,
            snapshot_folder=str(self.tools.folder),
            record_format=self.tools.record_format,
        )

    def save(self) -> None:
        """Write what the window shows now to the store."""
        write_settings(self.store, self.collect())
        write_recent(self.store, self.recent)

