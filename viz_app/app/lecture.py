"""The lecture-hall tools in the window's menus: snapshots, recordings, Reset layout and Help."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from viz_app.ui.capture import default_folder, save_snapshot, timestamped_path
from viz_app.ui.help_dialogs import ShortcutsDialog, about_box
from viz_app.ui.main_window import MainWindow
from viz_app.ui.recorder import Recorder, RecordingIndicator, SinkFactory, make_sink

STATUS_MS = 10_000  # how long a saved file's path stays in the status bar


class LectureTools(QObject):
    """Installs File > Save snapshot / Record, View > Reset layout and Help > Keyboard shortcuts /
    About into ``window``'s menus, and does what they say."""

    snapshot_saved = Signal(str)  # path of a PNG just written
    layout_reset = Signal()  # View > Reset layout: the window is back to its first layout

    def __init__(self, window: MainWindow, sink_factory: SinkFactory = make_sink) -> None:
        super().__init__(window)
        self.window = window
        self.folder: Path = default_folder()  # snapshots and recordings go here
        self.record_format = "mp4"  # or "gif"
        self.recorder = Recorder(window, sink_factory, self)
        self.indicator = RecordingIndicator(self.recorder)
        window.statusBar().addPermanentWidget(self.indicator)
        self._first_state = window.saveState()
        self._build_file_menu(window.file_menu)
        self._build_view_menu(window.view_menu)
        self._build_help_menu(window.help_menu)
        self.recorder.started.connect(self._on_recording_started)
        self.recorder.finished.connect(self._on_recording_finished)
        self.recorder.failed.connect(self._on_recording_failed)
        window.closing.connect(self.recorder.stop)  # a recording in progress ends as a playable file

    # --- menus ------------------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], object], shortcut: QKeySequence | QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_file_menu(self, menu: QMenu) -> None:
        self.snapshot_action = self._action("Save &snapshot", self.snapshot_window, QKeySequence.StandardKey.Save)
        self.maps_snapshot_action = self._action("Save snapshot of the &maps", self.snapshot_maps, QKeySequence("Ctrl+Shift+S"))
        self.folder_action = self._action("Snapshot &folder…", self.choose_folder)
        self.record_action = self._action("&Record", self.toggle_recording, QKeySequence("Ctrl+R"))
        self.record_action.setCheckable(True)
        formats = QMenu("Recording f&ormat", self.window)
        group = QActionGroup(formats)
        self.format_actions: dict[str, QAction] = {}
        for key, text in (("mp4", "MP4 video"), ("gif", "Animated GIF")):
            action = QAction(text, group, checkable=True, checked=key == self.record_format)
            action.triggered.connect(lambda _checked=False, k=key: self.set_record_format(k))
            formats.addAction(action)
            self.format_actions[key] = action
        quit_action = self.window.quit_action
        for action in (self.snapshot_action, self.maps_snapshot_action, self.folder_action):
            menu.insertAction(quit_action, action)
        menu.insertSeparator(quit_action)
        menu.insertAction(quit_action, self.record_action)
        menu.insertMenu(quit_action, formats)
        menu.insertSeparator(quit_action)

    def _build_view_menu(self, menu: QMenu) -> None:
        self.reset_layout_action = self._action("Reset &layout", self.reset_layout)
        menu.addAction(self.reset_layout_action)

    def _build_help_menu(self, menu: QMenu) -> None:
        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, QKeySequence("F1"))
        self.about_action = self._action("&About cnn-viz", self.show_about)
        menu.addAction(self.shortcuts_action)
        menu.addAction(self.about_action)

    # --- snapshots --------------------------------------------------------------------------------
    def snapshot_window(self) -> Path | None:
        """File > Save snapshot: the whole window as a PNG; its path, or None (with a message)."""
        return self._snapshot(self.window)

    def snapshot_maps(self) -> Path | None:
        """File > Save snapshot of the maps: the feature-map panel alone."""
        return self._snapshot(self.window.maps)

    def _snapshot(self, widget: QWidget) -> Path | None:
        try:
            path = save_snapshot(widget, self.folder)
        except OSError as exc:
            self.window.show_message(f"Could not save the snapshot: {exc}. Pick another folder in File > Snapshot folder…")
            return None
        self.window.statusBar().showMessage(f"Snapshot saved: {path}", STATUS_MS)
        self.snapshot_saved.emit(str(path))
        return path

    def choose_folder(self) -> None:
        """File > Snapshot folder…: where snapshots and recordings go from now on."""
        folder = QFileDialog.getExistingDirectory(self.window, "Snapshot folder", str(self.folder))
        if folder:
            self.folder = Path(folder)
            self.window.statusBar().showMessage(f"Snapshots and recordings go to {folder}", STATUS_MS)

    # --- recording --------------------------------------------------------------------------------
    def set_record_format(self, key: str) -> None:
        """The format of the next recording: "mp4" or "gif"."""
        self.record_format = key
        self.format_actions[key].setChecked(True)

    def toggle_recording(self) -> None:
        """File > Record: start recording the window, or finish the recording in progress."""
        if self.recorder.recording:
            self.recorder.stop()
        else:
            self.recorder.start(timestamped_path(self.folder, self.record_format))
        self.record_action.setChecked(self.recorder.recording)

    def _on_recording_started(self, path: str) -> None:
        self.record_action.setChecked(True)
        self.window.statusBar().showMessage(f"Recording to {path} (Ctrl+R stops)", STATUS_MS)

    def _on_recording_finished(self, path: str) -> None:
        self.record_action.setChecked(False)
        dropped = f" ({self.recorder.dropped} grabs dropped: the encoder was behind)" if self.recorder.dropped else ""
        self.window.statusBar().showMessage(f"Recording saved: {path}{dropped}", STATUS_MS)

    def _on_recording_failed(self, message: str) -> None:
        self.record_action.setChecked(False)
        self.window.show_message(message)

    # --- view and help ----------------------------------------------------------------------------
    def reset_layout(self) -> None:
        """View > Reset layout: toolbars and panels as at the first start, the window maximised."""
        reset = getattr(self.window, "reset_layout", None)  # the window's own, where it has one
        if callable(reset):
            reset()
        else:
            self.window.restoreState(self._first_state)
            self.window.showMaximized()
        self.layout_reset.emit()

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard shortcuts (non-modal: the lecture goes on behind it)."""
        dialog = ShortcutsDialog(self.window)
        dialog.show()
        return dialog

    def show_about(self) -> None:
        """Help > About: version, model, device and weights."""
        about_box(self.window, self.window.model).open()
