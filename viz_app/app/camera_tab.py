"""The Camera tab's controls and the CameraSource they steer."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from viz_app.app.source_tabs import SourceTab
from viz_app.inputs.photo import Roi
from viz_app.records.frames import Frame
from viz_app.sources.camera import RESOLUTIONS, CameraSource, list_cameras
from viz_app.sources.stamped import StringStamped
from viz_app.ui.sources.camera_panel import CameraPanel


class CameraTab(QObject):
    """Which camera, at what resolution, mirrored or not, frozen or not, reading a string or a
    digit; makes the CameraSource when the tab is shown and asks for a restart when another
    camera is picked."""

    restart_requested = Signal()  # start the camera afresh (another camera, or a reconnect of a stopped one)
    string_toggled = Signal(bool)  # the user turned string mode on or off on this tab

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel = CameraPanel(RESOLUTIONS)
        self.index: int | str = 0  # a camera index, or a video file standing in for one
        self.resolution: tuple[int, int] | None = (640, 480)
        self.mirror = False  # the network sees what the camera sees: a digit held up reads as written
        self.saved_roi: Roi | None = None  # a remembered region of interest, put on the first frame it fits
        self.source: CameraSource | None = None
        self.string_mode = False  # frames marked as strings, a wide region of interest
        self._unmirrored = False  # string mode turned the mirror off
        self._shape: tuple[int, ...] = ()  # of the last frame shown
        cam = self.panel
        cam.camera_picked.connect(self._on_camera_picked)
        cam.resolution_picked.connect(self._on_resolution_picked)
        cam.freeze_toggled.connect(self._on_freeze_toggled)
        cam.mirror_toggled.connect(self._on_mirror_toggled)
        cam.reconnect_clicked.connect(self._on_reconnect_clicked)
        cam.string_toggled.connect(self._on_string_toggled)

    def entry(self) -> SourceTab:
        """The Camera tab's registry entry."""
        return SourceTab("camera", "Camera", self.panel, self.make_source, view=self.panel.view,
                         show_frame=self._on_frame_shown, show_message=self.show_message,
                         freeze=self.panel.freeze_button.setChecked)  # fmt: skip

    def set_string_mode(self, on: bool) -> None:
        """Mark the frames as strings (and make the region of interest wide) from now on, or not.

        A mirrored string reads backwards: string mode shows the camera unmirrored, and gives
        the mirror back when it ends.
        """
        self.string_mode = on
        self.panel.set_string_mode(on)
        if on and self.mirror:
            self._unmirrored = True
            self._show_mirror(False)
        elif not on and self._unmirrored:
            self._unmirrored = False
            self._show_mirror(True)

    def _show_mirror(self, mirror: bool) -> None:
        """Mirror (or not) as if the user had ticked the box."""
        self.panel.mirror_box.blockSignals(True)
        self.panel.mirror_box.setChecked(mirror)
        self.panel.mirror_box.blockSignals(False)
        self._on_mirror_toggled(mirror)

    def make_source(self) -> StringStamped:
        """A CameraSource with the chosen camera, resolution and mirroring (the tab being shown),
        its frames marked as strings while string mode is on."""
        self.panel.set_cameras(list_cameras(), self.index)  # type: ignore[arg-type]  # a test's video file stands in
        self.source = CameraSource(self.index, self.resolution, self.mirror)
        self.panel.set_state(self.resolution, self.mirror, False)
        self.panel.view.show_text(f"Opening camera {self.index}…")
        return StringStamped(self.source, lambda: self.string_mode)

    def show_message(self, message: str) -> None:
        """The camera's status line; over the view too while no picture came yet."""
        self.panel.status.setText(message)
        if self.source is not None and self.source.last_frame is None:
            self.panel.view.show_text(message)

    def _on_frame_shown(self, frame: Frame) -> None:
        """Put the remembered region of interest on the view once a frame it fits in is shown; in
        string mode, a frame of a new size gets a wide one."""
        shape = frame.image.shape[:2]
        if shape != self._shape:
            self._shape = shape
            if self.string_mode and self.saved_roi is None:
                self.panel.set_string_mode(True)
        roi = self.saved_roi
        if roi is None:
            return
        height, width = frame.image.shape[:2]
        x, y, w, h = roi
        if x + w <= width and y + h <= height:
            self.saved_roi = None
            self.panel.view.set_roi(roi)  # its roi_changed re-sends the frame with this region

    def _on_string_toggled(self, on: bool) -> None:
        self.set_string_mode(on)
        self.string_toggled.emit(on)

    def _on_camera_picked(self, index: int) -> None:
        self.index = index
        self.restart_requested.emit()

    def _on_resolution_picked(self, resolution: tuple[int, int]) -> None:
        self.resolution = resolution
        if self.source is not None:
            self.source.set_resolution(resolution)

    def _on_freeze_toggled(self, frozen: bool) -> None:
        if self.source is not None:
            self.source.freeze(frozen)

    def _on_mirror_toggled(self, mirror: bool) -> None:
        self.mirror = mirror
        if self.source is not None:
            self.source.mirror = mirror

    def _on_reconnect_clicked(self) -> None:
        if self.source is not None and self.source.running:
            self.source.reconnect()
        else:
            self.restart_requested.emit()
