"""Glue between the sources, their tabs in the window and the inference worker.

Sources call back from their own threads. The controller prepares each frame for the model
there (the digit's ink for a digit model, an RGB centre crop for an ImageNet model), hands it
to the worker's thread-safe mailbox, and marshals only the newest raw frame to the GUI thread
for the live view (latest wins, so a slow GUI never queues frames). Whichever input tab is
shown is the source that feeds the network; the drawing pad stays the first, default tab.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal

from viz_app.records.frames import Frame, FrameResult, ModelInfo
from viz_app.sources.base import Source
from viz_app.sources.camera import RESOLUTIONS, CameraSource, list_cameras
from viz_app.sources.images import ImageSource
from viz_app.sources.mnist_browser import MnistBrowser, model_classifier
from viz_app.sources.photo import Roi, network_image
from viz_app.sources.spec import SourceSpec, SourceSpecError, is_video, parse_source
from viz_app.sources.video import VideoSource
from viz_app.ui.sources.camera_panel import CameraPanel
from viz_app.ui.sources.drop import FileDropFilter
from viz_app.ui.sources.file_panel import FilePanel
from viz_app.app.threads import LatestMailbox
from viz_app.ui.sources.mnist_panel import MnistPanel

if TYPE_CHECKING:
    from viz_app.app.session import Session


class SourceController(QObject):
    """Starts and stops the sources as their tabs are shown and routes their frames."""

    source_message = Signal(str)  # a source's message, in the GUI thread

    def __init__(self, session: Session) -> None:
        super().__init__(session.window)
        self.window = session.window
        self.worker = session.inference.worker
        self.channels = 1
        self.model: ModelInfo | None = None
        self.active: Source | None = None
        self.camera_index = 0
        self.camera_resolution: tuple[int, int] | None = (640, 480)
        self.mirror = True
        self.frames_in = 0  # frames the active source delivered
        self._roi: Roi | None = None
        self._last_raw: Frame | None = None
        self._mailbox = LatestMailbox(self)  # raw frames and messages to the GUI thread
        self._lock = threading.Lock()

        self.camera_panel = CameraPanel(RESOLUTIONS)
        self.file_panel = FilePanel()
        self.mnist_panel = MnistPanel()
        self.camera_tab = self.window.add_input_tab(self.camera_panel, "Camera")
        self.file_tab = self.window.add_input_tab(self.file_panel, "File")
        self.mnist_tab = self.window.add_input_tab(self.mnist_panel, "MNIST")
        self.browser = MnistBrowser()
        self.images: ImageSource | None = None
        self.video: VideoSource | None = None
        self.camera: CameraSource | None = None
        self._file_path: Path | None = None
        self._connect()
        if self.window.model is not None:  # loaded before the sources were attached
            self._on_model_loaded(self.window.model)

    def _connect(self) -> None:
        self._mailbox.arrived.connect(self._on_frame_arrived)
        self._mailbox.message.connect(self._on_message)
        self.window.inputs.currentChanged.connect(self._start)  # the shown tab is the source
        self.worker.model_loaded.connect(self._on_model_loaded, Qt.ConnectionType.QueuedConnection)
        self.window.result_shown.connect(self._on_result_shown)
        self.window.closing.connect(self.stop)
        for view in (self.camera_panel.view, self.file_panel.view):
            view.roi_changed.connect(self._on_roi_changed)
        cam = self.camera_panel
        cam.camera_picked.connect(self._on_camera_picked)
        cam.resolution_picked.connect(self._on_resolution_picked)
        cam.freeze_toggled.connect(lambda frozen: self._call_active("freeze", frozen))
        cam.mirror_toggled.connect(self._on_mirror_toggled)
        cam.reconnect_clicked.connect(self._on_reconnect)
        files = self.file_panel
        files.open_requested.connect(self.open_file)
        files.step_requested.connect(lambda delta: self._call_active("step", delta))
        files.pause_toggled.connect(lambda paused: self._call_active("freeze", paused))
        files.loop_toggled.connect(lambda loop: setattr(self.video, "loop", loop) if self.video else None)
        files.restart_clicked.connect(lambda: self._call_active("restart"))
        mnist = self.mnist_panel
        mnist.step_requested.connect(self.browser.step)
        mnist.index_requested.connect(self.browser.goto)
        mnist.next_mistake_clicked.connect(self._on_next_mistake)
        self.drop_filter = FileDropFilter(self.window)
        self.drop_filter.dropped.connect(self.open_file)
        self.drop_filter.install()

    # --- choosing a source ------------------------------------------------------------------
    def open_spec(self, spec: SourceSpec) -> None:
        """Show and start the source a --source string named."""
        if spec.kind == "camera":
            self.camera_index = spec.index
            self._show_tab(self.camera_tab)
        elif spec.kind in ("video", "image"):
            assert spec.path is not None
            self.open_file(str(spec.path))
        elif spec.kind == "mnist":
            self._show_tab(self.mnist_tab)
        else:
            self._show_tab(0)

    def open_file(self, path: str) -> None:
        """An image, a folder of images or a video, in the File tab (also for dropped files);
        a dropped weights file goes to the current model instead."""
        if Path(path).suffix.lower() in (".pt", ".pth") and self.model is not None:
            self.window.model_requested.emit(self.model.name, path)
            return
        self._file_path = Path(path)
        if self.window.inputs.currentIndex() == self.file_tab:
            self._start(self.file_tab)
        else:
            self._show_tab(self.file_tab)

    def _show_tab(self, index: int) -> None:
        if self.window.inputs.currentIndex() == index:
            self._start(index)
        else:
            self.window.inputs.setCurrentIndex(index)  # currentChanged starts it

    def _start(self, tab: int) -> None:
        self._stop_active()
        source: Source | None = None
        if tab == self.camera_tab:
            self.camera_panel.set_cameras(list_cameras(), self.camera_index)
            self.camera = CameraSource(self.camera_index, self.camera_resolution, self.mirror)
            self.camera_panel.set_state(self.camera_resolution, self.mirror, False)
            self.camera_panel.view.show_text(f"Opening camera {self.camera_index}…")
            source = self.camera
        elif tab == self.file_tab and self._file_path is not None:
            source = self._file_source(self._file_path)
        elif tab == self.mnist_tab:
            source = self.browser
        elif tab == 0:
            self._resubmit_pad()
        if source is None:
            return
        self.active = source
        self.frames_in = 0
        source.start(self._on_source_frame, self._mailbox.put_message)

    def _file_source(self, path: Path) -> Source:
        if is_video(path):
            self.video = VideoSource(path, loop=self.file_panel.loop_box.isChecked())
            self.file_panel.set_mode("video", path.name)
            return self.video
        self.images = ImageSource(path)
        self.file_panel.set_mode("folder" if path.is_dir() else "image", str(path))
        return self.images

    def _stop_active(self) -> None:
        source, self.active = self.active, None
        with self._lock:
            self._last_raw = None
        if source is not None:
            source.stop()

    def stop(self) -> None:
        """Stop every source (window closing)."""
        self._stop_active()
        self.drop_filter.remove()

    # --- frames: any thread ---------------------------------------------------------------------
    def _on_source_frame(self, frame: Frame) -> None:
        source = self.active
        if source is None or frame.source != source.name:
            return  # a late frame of a source that was just stopped
        self.frames_in += 1
        with self._lock:
            self._last_raw = frame
        self._submit(frame)
        self._mailbox.put(frame)

    def _submit(self, frame: Frame) -> None:
        """Prepare a raw frame for the current model and hand it to the worker."""
        if frame.source == "mnist":
            self.worker.submit(frame)
            return
        try:
            image = network_image(frame.image, self._roi, self.channels)
        except ValueError as exc:
            self._mailbox.put_message(str(exc))
            return
        self.worker.submit(Frame(image, frame.t_event, frame.seq, frame.source))

    # --- GUI thread ------------------------------------------------------------------------------------
    def _on_frame_arrived(self, frame: Frame) -> None:
        if self.active is None or frame.source != self.active.name:
            return
        if frame.source == "mnist":
            self.mnist_panel.set_count(len(self.browser))
            self.mnist_panel.show_digit(frame.image, self.browser.index, self.browser.label, frame.t_event)
        else:
            view = self.camera_panel.view if frame.source == "camera" else self.file_panel.view
            view.show_frame(frame.image)
            self._roi = view.roi()

    def _on_message(self, message: str) -> None:
        if self.active is self.camera:
            self.camera_panel.status.setText(message)
            if self.camera is not None and self.camera.last_frame is None:
                self.camera_panel.view.show_text(message)
        self.window.show_message(message)
        self.source_message.emit(message)

    def _on_roi_changed(self, roi: Roi) -> None:
        self._roi = roi
        self._resubmit()

    def _resubmit(self) -> None:
        """Send the last raw frame again, prepared for the current ROI and model."""
        with self._lock:
            frame = self._last_raw
        if frame is not None:
            self._submit(Frame(frame.image, time.perf_counter(), frame.seq, frame.source))

    def _resubmit_pad(self) -> None:
        pad = self.window.pad
        self.worker.submit(Frame(pad.canvas.ink.copy(), time.perf_counter(), 0, "pad"))

    def _on_model_loaded(self, info: ModelInfo) -> None:
        self.model = info
        self.channels = info.channels
        self.browser.set_classifier(None)
        self.mnist_panel.mistake_button.setEnabled(info.channels == 1 and len(info.classes) == 10)
        self._resubmit()

    def _on_result_shown(self, result: FrameResult, t_shown: float) -> None:
        if self.active is self.browser and not result.empty:
            self.mnist_panel.show_prediction(result.classes[result.prediction], result.t_event)

    # --- controls ------------------------------------------------------------------------------------------
    def _on_camera_picked(self, index: int) -> None:
        self.camera_index = index
        self._start(self.camera_tab)

    def _on_resolution_picked(self, resolution: tuple[int, int]) -> None:
        self.camera_resolution = resolution
        if self.camera is not None:
            self.camera.set_resolution(resolution)

    def _call_active(self, method: str, *args: object) -> None:
        """Forward a control (freeze, step, restart) to the shown source if it has it."""
        control = getattr(self.active, method, None)
        if callable(control):
            control(*args)

    def _on_mirror_toggled(self, mirror: bool) -> None:
        self.mirror = mirror
        if self.camera is not None:
            self.camera.mirror = mirror

    def _on_reconnect(self) -> None:
        if self.active is self.camera and self.camera is not None and self.camera.running:
            self.camera.reconnect()
        else:
            self._start(self.camera_tab)

    def _on_next_mistake(self) -> None:
        info = self.model
        if info is None or info.channels != 1 or not info.trained:
            self.window.show_message("Next mistake needs a trained digit model")
            return
        if not self.browser.has_classifier:
            try:
                self.browser.set_classifier(model_classifier(info.name, info.weights))
            except Exception as exc:  # weights that loaded in the worker but not here
                self.window.show_message(f"Could not ask {info.title} about the test set: {exc}")
                return
        self.browser.next_misclassified()


def attach_sources(session: Session, source_spec: str | SourceSpec = "pad") -> SourceController:
    """Add the camera, file and MNIST tabs to a Session's window and start ``source_spec``
    (a --source string or an already parsed SourceSpec)."""
    controller = SourceController(session)
    try:
        spec = source_spec if isinstance(source_spec, SourceSpec) else parse_source(source_spec)
    except SourceSpecError as exc:
        session.window.show_message(f"{exc}; starting with the drawing pad")
        return controller
    controller.open_spec(spec)
    return controller
