"""What the app remembers between runs, carried through the view state: read into it at start,
written from it at close. Values that cannot be taken are named in one message and dropped from
the store; a store that cannot be written is named in one line on stderr and the close goes on."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, SignalInstance
from PySide6.QtGui import QGuiApplication

from viz_app.app.lecture import LectureTools
from viz_app.app.recent import MAX_RECENT, is_opened_model, read_recent, read_trusted, write_recent, write_trusted
from viz_app.app.settings import Settings, read_settings, write_settings
from viz_app.app.source_control import SourceController
from viz_app.records.frames import NormMode
from viz_app.state.view import ModelChoice, ViewState
from viz_app.ui.controls_bar import add_more_entry, add_recent_model
from viz_app.ui.main_window import MainWindow


class RememberedSettings(QObject):
    """Reads ``store`` once (``initial``: the view state it gives), shows it in a window
    (``attach``) and writes the view state back on ``save()``."""

    def __init__(self, store: QSettings, models: list[str]) -> None:
        super().__init__()
        self.store = store
        self.recent = read_recent(store)
        self.settings, self.ignored = read_settings(store, [*models, *(name for name, _ in self.recent)])

    def initial(self, state: ViewState) -> ViewState:
        """``state`` with what was remembered: the model, the layers per model, the colours, the
        window's parts (pen, input tab, camera, folders, geometry)."""
        s = self.settings
        return replace(
            state,
            model=ModelChoice(s.model) if s.model else state.model, layers=dict(s.layers),
            norm=NormMode(s.colour_mode) if s.colour_mode else state.norm, pen_width=s.pen_width, source=s.source,
            camera_index=s.camera_index, resolution=s.resolution, roi=s.roi, snapshot_folder=s.snapshot_folder,
            record_format=s.record_format, geometry=s.geometry, window_state=s.state,
        )  # fmt: skip

    # --- at start ---------------------------------------------------------------------------------
    def attach(self, window: MainWindow, sources: SourceController, tools: LectureTools, summary_ready: SignalInstance) -> bool:
        """Show the remembered parts in the window, its sources and the lecture tools; True if a
        saved geometry was restored. Ignored values end in one message in the window."""
        self.window, self.sources, self.tools, self.view = window, sources, tools, window.view
        add_more_entry(window.model_picker)
        window.trust.trusted = read_trusted(self.store)
        for name, title in self.recent:
            add_recent_model(window.model_picker, name, title)
        summary_ready.connect(self._note_recent)
        tools.layout_reset.connect(lambda: self.view.update(geometry=None, window_state=None))
        s, ignored = self.view.state, list(self.ignored)
        restored = s.geometry is not None and self._restore_geometry(s.geometry)
        if s.geometry is not None and not restored:
            ignored.append(self._drop("geometry", "window geometry (not on any screen now)"))
        if s.window_state is not None and not window.restoreState(s.window_state):
            ignored.append(self._drop("state", "toolbar layout"))
        ignored += self._apply_controls(self.settings)
        camera = sources.camera
        if s.camera_index is not None:
            camera.index = s.camera_index
        if s.resolution is not None:
            camera.resolution = s.resolution
        camera.saved_roi = s.roi
        if s.snapshot_folder is not None:
            tools.folder = Path(s.snapshot_folder)
        if s.record_format is not None:
            tools.set_record_format(s.record_format)
        if ignored:
            window.show_message("Some saved settings were ignored and their defaults used: " + "; ".join(ignored))
        return restored

    def apply_source(self) -> None:
        """Show the saved input tab and start its source (when no --source said otherwise)."""
        kind = self.view.state.source
        if kind is not None and kind in {tab.kind for tab in self.sources.tabs}:
            self.sources.show(kind)
        elif kind is not None:
            self.store.remove("source")  # the next start is clean
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
                ignored.append(self._drop("pen_width", f"pen width {s.pen_width} (not in {spin.minimum()}-{spin.maximum()})"))
        if s.side_tab is not None:
            titles = [window.side.tabText(i) for i in range(window.side.count())]
            if s.side_tab in titles:
                window.side.setCurrentIndex(titles.index(s.side_tab))
            else:
                ignored.append(self._drop("side_tab", f"side tab {s.side_tab!r}"))
        return ignored

    def _drop(self, key: str, description: str) -> str:
        """Forget the stored ``key`` (a value the window could not take) so that the next start is
        clean; ``description``, for the message that names it."""
        self.store.remove(key)
        return description

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
    def _note_recent(self, *_summary: object) -> None:
        """A model opened from a file or by torchvision name: first in the recent list, shown in the picker."""
        model = self.window.model
        if model is None or not is_opened_model(model.name):
            return
        self.recent = [(model.name, model.title)] + [(n, t) for n, t in self.recent if n != model.name]
        del self.recent[MAX_RECENT:]
        picker = self.window.model_picker
        picker.setCurrentIndex(add_recent_model(picker, model.name, model.title))

    # --- at close ---------------------------------------------------------------------------------
    def collect(self) -> Settings:
        """The view state as Settings, once the window's own parts are written into it."""
        window, sources, camera, state = self.window, self.sources, self.sources.camera, self.view.state
        shown = window.inputs.currentIndex()
        source = next((tab.kind for tab in sources.tabs if sources.tab_index(tab.kind) == shown), state.source)
        self.view.update(
            geometry=bytes(window.saveGeometry().data()), window_state=bytes(window.saveState().data()),
            pen_width=window.pen_width.value(), source=source,
            camera_index=camera.index if isinstance(camera.index, int) else state.camera_index,
            resolution=camera.resolution, roi=camera.panel.view.roi() or state.roi,
            snapshot_folder=str(self.tools.folder), record_format=self.tools.record_format,
        )  # fmt: skip
        state = self.view.state
        shown_model = window.model.name if window.model is not None else state.model.name
        return Settings(
            geometry=state.geometry, state=state.window_state, model=shown_model, layers=dict(state.layers),
            colour_mode=state.norm.value, pen_width=state.pen_width, side_tab=window.side.tabText(window.side.currentIndex()),
            source=state.source, camera_index=state.camera_index, resolution=state.resolution, roi=state.roi,
            snapshot_folder=state.snapshot_folder, record_format=state.record_format,
        )  # fmt: skip

    def save(self) -> None:
        """Write the view state to the store. Never raises, as it runs while the window closes:
        what could not be saved is said in one line on stderr (the window is going), and the close goes on."""
        try:
            write_recent(self.store, self.recent)
            write_trusted(self.store, self.window.trust.trusted)
            failed = write_settings(self.store, self.collect())  # last: it flushes the store to disk
        except Exception as exc:  # a part of the window that cannot say its state
            failed = [f"{type(exc).__name__}: {exc}"]
        if failed:
            print("cnn-viz: settings not saved: " + " ".join("; ".join(failed).split()), file=sys.stderr, flush=True)
