"""Glue between the sources, their tabs in the window and the inference worker.

Whichever input tab is shown runs its Source, and only that source feeds the network; the
drawing pad is the first tab and a source like any other. Sources call back from their own
threads with raw frames: the controller stamps a photo with the region of interest and hands
it straight to the worker's thread-safe mailbox (the worker prepares it for whatever model
is current when it runs), and passes only the newest raw frame to the GUI thread for the
tab's live view (latest wins, so a slow GUI never queues frames).
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMetaObject, QObject, Qt, Signal, Slot

from viz_app.app.camera_tab import CameraTab
from viz_app.app.demo_tab import DemoTab
from viz_app.app.mnist_tab import MnistTab
from viz_app.app.source_tabs import FileTab, SourceTab
from viz_app.app.string_mode import StringMode
from viz_app.app.threads import LatestMailbox
from viz_app.app.worker import InferenceWorker
from viz_app.inputs.photo import Roi
from viz_app.records.frames import Frame, FrameKind, FrameResult
from viz_app.sources.base import Source
from viz_app.sources.pad import PadSource
from viz_app.sources.spec import SourceSpec
from viz_app.ui.main_window import MainWindow
from viz_app.ui.sources.drop import FileDropFilter


class SourceController(QObject):
    """Starts and stops the sources as their tabs are shown and routes their frames."""

    source_message = Signal(str)  # a source's message, in the GUI thread

    def __init__(self, window: MainWindow, worker: InferenceWorker) -> None:
        super().__init__(window)
        self.window = window
        self._worker = worker
        self.active: Source | None = None
        self.frames_in = 0  # frames the active source delivered
        self._tab: SourceTab | None = None
        self._roi: Roi | None = None
        self._last_raw: Frame | None = None
        self._lock = threading.Lock()
        self._views = LatestMailbox(self)  # raw frames and messages to the GUI thread
        self._links: list[QMetaObject.Connection] = []
        self.pad = PadSource(window.pad.current_frame())
        self.camera = CameraTab(self)
        self.files = FileTab(self)
        self.mnist = MnistTab(window, self)
        self.demo = DemoTab(window, self)
        self.tabs: tuple[SourceTab, ...] = (
            SourceTab("pad", "Draw", window.pad, lambda: self.pad),
            self.camera.entry(),
            self.files.entry(),
            self.mnist.entry(),
            self.demo.entry(),
        )
        self._indices = {tab.kind: self._add_tab(tab) for tab in self.tabs}
        self.drop_filter = FileDropFilter(window)
        self._connect()
        self._start(window.inputs.currentIndex())
        self.strings = StringMode(window, (self.camera, self.files), self)  # one string mode for pad, camera and file

    def _add_tab(self, tab: SourceTab) -> int:
        index = self.window.inputs.indexOf(tab.widget)  # the pad's tab is the window's own
        return index if index >= 0 else self.window.add_input_tab(tab.widget, tab.title)

    def _connect(self) -> None:
        # The pad's latency path: its event calls straight through PadSource into the mailbox.
        self._links.append(self.window.frame_ready.connect(self.pad.feed, Qt.ConnectionType.DirectConnection))
        self._links.append(self._worker.input_rejected.connect(self._on_message))  # queued from inference
        self._views.arrived.connect(self._on_frame_arrived)
        self._views.message.connect(self._on_message)
        self.window.inputs.currentChanged.connect(self._on_tab_changed)  # the shown tab is the source
        self.window.result_shown.connect(self._on_result_shown)
        self.window.closing.connect(self.stop)
        freeze_toggled = getattr(self.window, "freeze_toggled", None)  # Space: the window holds its panels
        if freeze_toggled is not None:
            freeze_toggled.connect(self._on_freeze_toggled)
        for tab in self.tabs:
            if tab.view is not None:
                tab.view.roi_changed.connect(self._on_roi_changed)
        self.camera.restart_requested.connect(lambda: self.show("camera"))
        self.demo.restart_requested.connect(lambda: self.show("demo"))
        self.files.panel.open_requested.connect(self.open_file)
        self.drop_filter.dropped.connect(self.open_file)
        self.drop_filter.install()

    # --- public surface ------------------------------------------------------------------------
    @property
    def roi(self) -> Roi | None:
        """The region of interest photos are sent with (None: the whole frame)."""
        return self._roi

    def tab_index(self, kind: str) -> int:
        """Where the tab of source ``kind`` ("pad", "camera", "file", "mnist") sits in the window."""
        return self._indices[kind]

    def open_spec(self, spec: SourceSpec) -> None:
        """Show and start the source a --source string named."""
        if spec.kind == "camera":
            self.camera.index = spec.index
            self.show("camera")
        elif spec.kind in ("video", "image"):
            assert spec.path is not None
            self.open_file(str(spec.path))
        elif spec.kind == "demo":
            try:
                self.demo.choose(spec.scene)
            except ValueError as exc:
                self.window.show_message(str(exc))
            self.show("demo")
        else:
            self.show(spec.kind)

    def open_file(self, path: str) -> None:
        """An image, a folder of images or a video, in the File tab (also for dropped files);
        a dropped weights file goes to the current model instead."""
        model = self.window.model
        if Path(path).suffix.lower() in (".pt", ".pth") and model is not None:
            self.window.model_requested.emit(model.name, path)
            return
        self.files.path = Path(path)
        self.show("file")

    def show(self, kind: str) -> None:
        """Show the tab of source ``kind`` and (re)start its source."""
        index = self._indices[kind]
        if self.window.inputs.currentIndex() == index:
            self._start(index)
        else:
            self.window.inputs.setCurrentIndex(index)  # currentChanged starts it

    def stop(self) -> None:
        """Stop every source (window closing)."""
        self._stop_active()
        self.drop_filter.remove()

    def close(self) -> None:
        """Stop, and leave nothing queued or connected that could reach a closed window."""
        self.stop()
        self._views.close()
        for link in self._links:
            QObject.disconnect(link)
        self._links = []
        for receiver in (self, self._views):
            QCoreApplication.removePostedEvents(receiver)

    # --- choosing a source ------------------------------------------------------------------
    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        self._start(index)

    def _start(self, index: int) -> None:
        """Stop the running source and start the one of tab ``index``, if it has one to run."""
        self._stop_active()
        tab = next((t for t in self.tabs if self._indices[t.kind] == index), None)
        source = tab.make_source() if tab is not None else None
        if tab is None or source is None:
            return
        self._tab, self.active, self.frames_in = tab, source, 0
        source.start(self._on_source_frame, self._views.put_message)
        if getattr(self.window, "frozen", False):
            self._on_freeze_toggled(True)  # a tab shown while the window is frozen starts held

    def _stop_active(self) -> None:
        source, self.active, self._tab = self.active, None, None
        with self._lock:
            self._last_raw = None
        if source is not None:
            source.stop()

    # --- frames: any thread ---------------------------------------------------------------------
    def _on_source_frame(self, frame: Frame) -> None:
        source, tab = self.active, self._tab
        if source is None or tab is None or frame.source != source.name:
            return  # a late frame of a source that was just stopped
        self.frames_in += 1
        if frame.kind is FrameKind.PHOTO:
            frame = replace(frame, roi=self._roi)
        with self._lock:
            self._last_raw = frame
        self._worker.submit(frame)
        if tab.shows_frames:
            self._views.put(frame)

    # --- GUI thread ------------------------------------------------------------------------------------
    @Slot(object)
    def _on_frame_arrived(self, frame: Frame) -> None:
        tab = self._tab
        if tab is None or self.active is None or frame.source != self.active.name:
            return
        if tab.view is not None:
            tab.view.show_frame(frame.image)
            self._roi = tab.view.roi()
        if tab.show_frame is not None:
            tab.show_frame(frame)

    @Slot(str)
    def _on_message(self, message: str) -> None:
        if self._tab is not None and self._tab.show_message is not None:
            self._tab.show_message(message)
        self.window.show_message(message)
        self.source_message.emit(message)

    def _on_freeze_toggled(self, frozen: bool) -> None:
        """The window froze (or resumed) its panels: the shown tab's picture holds too, so the live
        view and the panels show the same frame."""
        if self._tab is not None and self._tab.freeze is not None:
            self._tab.freeze(frozen)

    def _on_roi_changed(self, roi: Roi) -> None:
        """Send the last photo again with the new region of interest."""
        self._roi = roi
        with self._lock:
            last = self._last_raw
            if last is None or last.kind is not FrameKind.PHOTO or _region(last, roi) == _region(last, last.roi):
                return  # the same pixels (the view's first region is the whole picture): nothing new to show
            self._last_raw = replace(last, roi=roi, t_event=time.perf_counter())
            frame = self._last_raw
        self._worker.submit(frame)

    def _on_result_shown(self, result: FrameResult, t_shown: float) -> None:
        if self._tab is not None and self._tab.show_result is not None:
            self._tab.show_result(result)


def _region(frame: Frame, roi: Roi | None) -> Roi:
    """The pixels ``roi`` takes from ``frame`` (None: the whole picture)."""
    height, width = frame.image.shape[:2]
    return roi if roi is not None else (0, 0, width, height)
