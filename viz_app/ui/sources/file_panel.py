"""The file tab: an image, a folder of images or a video, with the ROI on it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QFileDialog, QLabel, QPushButton, QWidget

from viz_app.ui.sources.frame_view import FrameView, lay_out_source_tab
from viz_app.ui.sources.string_box import footer_with_box, set_string_mode, string_box

FILE_FILTER = "Images and videos (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.gif *.pgm *.ppm *.avi *.mp4 *.mov *.mkv *.webm *.m4v);;All files (*)"


class FilePanel(QWidget):
    """Open (or drop) a file or folder; step through a folder; pause, loop or restart a video."""

    open_requested = Signal(str)  # a path
    step_requested = Signal(int)  # -1 previous, +1 next
    pause_toggled = Signal(bool)
    loop_toggled = Signal(bool)
    restart_clicked = Signal()
    string_toggled = Signal(bool)  # the user turned string mode on or off here

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = FrameView(roi_share=None)  # a photo's digit may be anywhere: all of it
        self.view.show_text("Open or drop an image, a folder or a video")
        self.open_button = QPushButton("Open…")
        self.open_button.clicked.connect(self._on_open_clicked)
        self.folder_button = QPushButton("Folder…")
        self.folder_button.clicked.connect(self._on_folder_clicked)
        self.previous_button = QPushButton("◀")
        self.previous_button.setToolTip("Previous image of the folder")
        self.previous_button.clicked.connect(lambda: self.step_requested.emit(-1))
        self.next_button = QPushButton("▶")
        self.next_button.setToolTip("Next image of the folder")
        self.next_button.clicked.connect(lambda: self.step_requested.emit(1))
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.loop_box = QCheckBox("Loop")
        self.loop_box.toggled.connect(self.loop_toggled)
        self.restart_button = QPushButton("Restart")
        self.restart_button.clicked.connect(self.restart_clicked)
        self.string_box = string_box(self.string_toggled)
        self.name = QLabel("")
        self.name.setWordWrap(True)

        controls = (self.open_button, self.folder_button, self.previous_button, self.next_button, self.pause_button, self.loop_box, self.restart_button)
        lay_out_source_tab(self, controls, self.view, footer_with_box(self.string_box, self.name))
        self.set_mode("none")
        # Space pauses a video while this tab is shown, as it freezes the camera on its tab.
        self.pause_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), self, self._on_space)
        self.pause_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)

    def _on_space(self) -> None:
        if self.pause_button.isVisible():
            self.pause_button.toggle()

    def set_mode(self, mode: str, name: str = "") -> None:
        """Which controls make sense: "none", "image", "folder" or "video"."""
        self.previous_button.setVisible(mode == "folder")
        self.next_button.setVisible(mode == "folder")
        for widget in (self.pause_button, self.loop_box, self.restart_button):
            widget.setVisible(mode == "video")
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(False)
        self.pause_button.setText("Pause")
        self.pause_button.blockSignals(False)
        self.name.setText(name)

    def set_string_mode(self, on: bool) -> None:
        """Show string mode as on or off, with a wide band (on) or all of the picture as the region of interest; no signal."""
        set_string_mode(self.string_box, self.view, on)

    def _on_open_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open an image or a video", "", FILE_FILTER)
        if path:
            self.open_requested.emit(path)

    def _on_folder_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of images")
        if path:
            self.open_requested.emit(path)

    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Paused" if paused else "Pause")
        self.pause_toggled.emit(paused)
