"""The input tabs as one registry: what each is called, the widget it shows and the Source
it runs while shown. The controller iterates the registry; no tab is special-cased there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from viz_app.records.frames import Frame, FrameResult
from viz_app.sources.base import Source
from viz_app.sources.images import ImageSource
from viz_app.sources.spec import is_video
from viz_app.sources.stamped import StringStamped
from viz_app.sources.video import VideoSource
from viz_app.ui.sources.file_panel import FilePanel
from viz_app.ui.sources.frame_view import FrameView


@dataclass(frozen=True)
class SourceTab:
    """One input tab: the registry entry the controller starts, routes and shows by."""

    kind: str  # the --source kind that shows it: "pad", "camera", "file", "mnist", "demo"
    title: str
    widget: QWidget
    make_source: Callable[[], Source | None]  # when the tab is shown; None: nothing to run yet
    view: FrameView | None = None  # the live view with its region of interest, if the tab has one
    show_frame: Callable[[Frame], None] | None = None  # any other live display of the newest raw frame
    show_result: Callable[[FrameResult], None] | None = None  # what the tab does with a shown result
    show_message: Callable[[str], None] | None = None  # a source message, also shown in the tab
    freeze: Callable[[bool], None] | None = None  # hold (True) or resume the picture, as the tab's own button does

    @property
    def shows_frames(self) -> bool:
        """Whether raw frames must reach the GUI thread for this tab (the pad draws its own)."""
        return self.view is not None or self.show_frame is not None


class FileTab(QObject):
    """The File tab: an image, a folder of images or a video, with its step, pause and loop controls,
    and string mode (its frames marked as strings, a wide region of interest)."""

    string_toggled = Signal(bool)  # the user turned string mode on or off on this tab

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel = FilePanel()
        self.string_mode = False
        self.path: Path | None = None
        self.images: ImageSource | None = None
        self.video: VideoSource | None = None
        self.source: Source | None = None
        self._shape: tuple[int, ...] = ()  # of the last picture shown
        files = self.panel
        files.step_requested.connect(lambda delta: self._forward("step", delta))
        files.pause_toggled.connect(lambda paused: self._forward("freeze", paused))
        files.loop_toggled.connect(self._on_loop_toggled)
        files.restart_clicked.connect(lambda: self._forward("restart"))
        files.string_toggled.connect(self._on_string_toggled)

    def entry(self) -> SourceTab:
        """The File tab's registry entry."""
        return SourceTab("file", "File", self.panel, self.make_source, view=self.panel.view, freeze=self.panel.pause_button.setChecked,
                         show_frame=self._on_frame_shown)  # fmt: skip

    def set_string_mode(self, on: bool) -> None:
        """Mark the frames as strings (and make the region of interest wide) from now on, or not."""
        self.string_mode = on
        self.panel.set_string_mode(on)

    def make_source(self) -> Source | None:
        """The opened path's source, its frames marked as strings while string mode is on."""
        source = self._open_source()
        return StringStamped(source, lambda: self.string_mode) if source is not None else None

    def _on_string_toggled(self, on: bool) -> None:
        self.set_string_mode(on)
        self.string_toggled.emit(on)

    def _on_frame_shown(self, frame: Frame) -> None:
        """A picture of a new size starts with the default region of interest: a wide one in string mode."""
        shape = frame.image.shape[:2]
        if shape != self._shape:
            self._shape = shape
            if self.string_mode:
                self.panel.set_string_mode(True)

    def _open_source(self) -> Source | None:
        """The source for the opened path (a video, or an image or folder); None before anything was opened."""
        if self.path is None:
            return None
        if is_video(self.path):
            self.video = VideoSource(self.path, loop=self.panel.loop_box.isChecked())
            self.panel.set_mode("video", self.path.name)
            self.source = self.video
        else:
            self.images = ImageSource(self.path)
            self.panel.set_mode("folder" if self.path.is_dir() else "image", str(self.path))
            self.source = self.images
        return self.source

    def _forward(self, method: str, *args: object) -> None:
        """A control (freeze, step, restart) for the file source, if it has it."""
        control = getattr(self.source, method, None)
        if callable(control):
            control(*args)

    def _on_loop_toggled(self, loop: bool) -> None:
        if self.video is not None:
            self.video.loop = loop
