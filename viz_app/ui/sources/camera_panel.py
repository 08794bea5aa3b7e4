"""The camera tab: the live view with its ROI and the camera's controls."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPushButton, QWidget

from viz_app.ui.sources.frame_view import FrameView, lay_out_source_tab
from viz_app.ui.sources.string_box import footer_with_box, set_string_mode, string_box


class CameraPanel(QWidget):
    """Camera picker, resolution, freeze (Space), mirror, string mode and reconnect above the live view."""

    camera_picked = Signal(int)
    resolution_picked = Signal(object)  # (width, height)
    freeze_toggled = Signal(bool)
    mirror_toggled = Signal(bool)
    reconnect_clicked = Signal()
    string_toggled = Signal(bool)  # the user turned string mode on or off here

    def __init__(self, resolutions: tuple[tuple[int, int], ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = FrameView()
        self.camera_picker = QComboBox()
        self.camera_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.camera_picker.setToolTip("Which camera to read")
        self.camera_picker.activated.connect(self._on_camera_activated)
        self.resolution_picker = QComboBox()
        self._resolutions = list(resolutions)
        for w, h in resolutions:
            self.resolution_picker.addItem(f"{w}x{h}")
        self.resolution_picker.setToolTip("Capture size asked of the camera (it may pick the nearest it has)")
        self.resolution_picker.activated.connect(self._on_resolution_activated)
        self.freeze_button = QPushButton("Freeze")
        self.freeze_button.setCheckable(True)
        self.freeze_button.setToolTip("Hold the picture (Space freezes the whole window, this picture with it)")
        self.freeze_button.toggled.connect(self._on_freeze_toggled)
        self.mirror_box = QCheckBox("Mirror")
        self.mirror_box.setToolTip("Flip left and right, like a mirror: the network then sees the flipped picture, and a digit held up reads backwards")
        self.mirror_box.toggled.connect(self.mirror_toggled)
        self.reconnect_button = QPushButton("Reconnect")
        self.reconnect_button.setToolTip("Open the camera again now")
        self.reconnect_button.clicked.connect(self.reconnect_clicked)
        self.string_box = string_box(self.string_toggled)
        self.status = QLabel("")
        self.status.setWordWrap(True)

        controls = (self.camera_picker, self.resolution_picker, self.freeze_button, self.mirror_box, self.reconnect_button)
        lay_out_source_tab(self, controls, self.view, footer_with_box(self.string_box, self.status))
        # Space freezes while this tab is shown (a hidden tab's shortcut is inactive).
        self.freeze_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), self, self.freeze_button.toggle)
        self.freeze_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)

    def set_cameras(self, indices: list[int], current: int) -> None:
        """Fill the picker with the cameras found (and the one asked for, even if absent)."""
        self.camera_picker.clear()
        for index in sorted(set(indices) | {current}):
            found = "" if index in indices else " (not found)"
            self.camera_picker.addItem(f"Camera {index}{found}", index)
        self.camera_picker.setCurrentIndex(self.camera_picker.findData(current))

    def set_state(self, resolution: tuple[int, int] | None, mirror: bool, frozen: bool) -> None:
        """Show the source's settings without emitting the change signals."""
        for widget in (self.resolution_picker, self.mirror_box, self.freeze_button):
            widget.blockSignals(True)
        if resolution in self._resolutions:
            self.resolution_picker.setCurrentIndex(self._resolutions.index(resolution))
        self.mirror_box.setChecked(mirror)
        self.freeze_button.setChecked(frozen)
        self.freeze_button.setText("Frozen" if frozen else "Freeze")
        for widget in (self.resolution_picker, self.mirror_box, self.freeze_button):
            widget.blockSignals(False)

    def set_string_mode(self, on: bool) -> None:
        """Show string mode as on or off, with a wide (on) or square region of interest; no signal."""
        set_string_mode(self.string_box, self.view, on)

    def _on_camera_activated(self, index: int) -> None:
        self.camera_picked.emit(int(self.camera_picker.itemData(index)))

    def _on_resolution_activated(self, index: int) -> None:
        self.resolution_picked.emit(self._resolutions[index])

    def _on_freeze_toggled(self, frozen: bool) -> None:
        self.freeze_button.setText("Frozen" if frozen else "Freeze")
        self.freeze_toggled.emit(frozen)

