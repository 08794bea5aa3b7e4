"""Recording the window as a video (MP4, or GIF through Pillow) while the lecture goes on.

The GUI thread only grabs the window on a timer (the screen's copy: a few milliseconds); a
side thread converts and encodes, behind a bounded queue. When the encoder falls behind, a
grab is dropped and counted, and the next one is written in its place, so the video keeps
the wall-clock pace: N seconds of lecture are N * fps frames. The video is written under a
temporary name beside its own and takes its name only once it plays back: a full disk or a
failing encoder ends in ``failed`` and no file, never in a broken one called saved.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QWidget

from viz_app.files import atomic_path, reason_of
from viz_app.opencv import cv2
from viz_app.ui.capture import ensure_folder, grab_window, image_to_bgr
from viz_app.ui.playback import playback_problem

MP4_CODECS = ("avc1", "mp4v")  # H.264 where the platform's OpenCV has it (FFmpeg names it avc1 in MP4), else MPEG-4 part 2
FPS = {"mp4": 30.0, "gif": 10.0}  # GIF frame times are in 1/100 s: 10 fps is exact
GIF_MAX_WIDTH = 960  # a GIF is a palette image per frame: keep it small enough to hold in memory
QUEUE_FRAMES = 8  # grabs waiting for the encoder; more are dropped (and counted)
ENCODER_NICE = 10  # the encoder thread's niceness: the lecture's frames come first

Size = tuple[int, int]  # width, height


class RecordingError(OSError):
    """A recording could not start or finish (no encoder, unwritable file, full disk)."""


class FrameSink(Protocol):
    """Where BGR frames (OpenCV's order) of one size go, in order; close() finishes a playable file."""

    def write(self, frame: np.ndarray) -> None: ...

    def close(self) -> None: ...


class VideoSink:
    """An MP4 through OpenCV's VideoWriter with the first codec of ``codecs`` that opens."""

    def __init__(self, path: Path, fps: float, size: Size, codecs: tuple[str, ...] = MP4_CODECS,
                 writer_class: Callable[..., Any] = cv2.VideoWriter) -> None:  # fmt: skip
        self.codec = ""
        for codec in codecs:
            writer = writer_class(str(path), cv2.VideoWriter.fourcc(*codec), fps, size)
            if writer.isOpened():
                self.codec, self._writer = codec, writer
                return
            writer.release()
        path.unlink(missing_ok=True)
        raise RecordingError(f"no MP4 encoder here (tried {', '.join(codecs) or 'none'}); record a GIF instead")

    def write(self, frame: np.ndarray) -> None:
        """One BGR frame of the sink's size."""
        self._writer.write(frame)

    def close(self) -> None:
        """Finish the file (the MP4 index is written here)."""
        self._writer.release()


class GifSink:
    """An animated GIF through Pillow: frames are reduced to a palette as they come, a repeat
    of the previous frame only lengthens it, and the file is written on close."""

    def __init__(self, path: Path, fps: float, size: Size) -> None:
        self.path, self.fps = path, fps
        width, height = size
        scale = min(1.0, GIF_MAX_WIDTH / width)
        self.size = (max(1, round(width * scale)), max(1, round(height * scale)))
        self._frames: list[Image.Image] = []
        self._repeats: list[int] = []
        self._last: np.ndarray | None = None

    def write(self, frame: np.ndarray) -> None:
        """One BGR frame (scaled to the GIF's size)."""
        if self._last is not None and np.array_equal(frame, self._last):
            self._repeats[-1] += 1
            return
        self._last = frame
        image = Image.fromarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)).resize(self.size, Image.Resampling.BILINEAR)
        self._frames.append(image.quantize(256, method=Image.Quantize.FASTOCTREE))
        self._repeats.append(1)

    def close(self) -> None:
        """Write the GIF (nothing when no frame came)."""
        if not self._frames:
            return
        durations = [round(1000 * n / self.fps) for n in self._repeats]
        first, *rest = self._frames
        first.save(self.path, save_all=True, append_images=rest, duration=durations, loop=0, optimize=False)


SinkFactory = Callable[[Path, float, Size], FrameSink]


def make_sink(path: Path, fps: float, size: Size) -> FrameSink:
    """A GIF sink for ``*.gif``, an MP4 sink otherwise."""
    return GifSink(path, fps, size) if path.suffix.lower() == ".gif" else VideoSink(path, fps, size)


def fit(frame: np.ndarray, size: Size) -> np.ndarray:
    """``frame`` at ``size`` (a window resized while recording is scaled into the video)."""
    width, height = size
    if frame.shape[1] == width and frame.shape[0] == height:
        return frame
    if 0 <= frame.shape[1] - width <= 1 and 0 <= frame.shape[0] - height <= 1:
        return np.ascontiguousarray(frame[:height, :width])  # odd sizes cut to even ones
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


class Recorder(QObject):
    """Records a widget (the window) into a file; start() and stop() from the GUI thread."""

    started = Signal(str)  # path
    ticked = Signal(float)  # seconds recorded so far, about once a second
    finished = Signal(str)  # path of the finished, playable file
    failed = Signal(str)  # a message for the user; the recording is over

    def __init__(self, widget: QWidget, sink_factory: SinkFactory = make_sink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._widget = widget
        self._sink_factory = sink_factory
        self._timer = QTimer(self, timerType=Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)
        self._queue: queue.Queue[tuple[QImage, int] | None] = queue.Queue(QUEUE_FRAMES)
        self._thread: threading.Thread | None = None
        self._error: str | None = None
        self._path: Path | None = None
        self._fps = 30.0
        self._t0 = 0.0
        self._last_second = -1
        self.frames = 0  # frames in the video (a dropped grab's time is filled by the next grab)
        self.dropped = 0  # grabs dropped because the encoder was behind

    @property
    def recording(self) -> bool:
        """Whether a recording is running."""
        return self._thread is not None

    def start(self, path: Path, fps: float | None = None) -> bool:
        """Start recording into ``path`` (.mp4 or .gif); False, with ``failed``, if it cannot start."""
        if self.recording:
            return False
        self._fps = fps or FPS.get(path.suffix.lower().lstrip("."), 30.0)
        first = grab_window(self._widget).toImage()
        size = (max(2, first.width() - first.width() % 2), max(2, first.height() - first.height() % 2))
        self._path, self._error, self.frames, self.dropped, self._last_second = path, None, 0, 0, -1
        self._queue = queue.Queue(QUEUE_FRAMES)
        opened = threading.Event()
        self._thread = threading.Thread(target=self._encode, args=(path, size, opened), name="recorder", daemon=True)
        self._thread.start()
        opened.wait()  # the encoder opens on its own thread (its helper threads then share its low priority)
        if self._error is not None:
            self._thread.join()
            self._thread = None
            self.failed.emit(f"Could not record to {path}: {self._error}")
            return False
        self._t0 = time.perf_counter()
        self._queue.put((first, 1))
        self.frames = 1
        self._timer.start(max(1, round(1000 / self._fps)))
        self.started.emit(str(path))
        return True

    def stop(self) -> None:
        """Finish the file (the last frame lasts until now); ``finished`` or ``failed`` tells how it went."""
        if self._thread is None:
            return
        self._timer.stop()
        if self._error is None:
            self._grab_due(wait=True)  # the video lasts until now, even if the encoder is behind
        self._queue.put(None)
        self._thread.join()
        self._thread = None
        if self._error is not None:
            self.failed.emit(f"Recording to {self._path} failed: {self._error}")
        else:
            self.finished.emit(str(self._path))

    def _on_tick(self) -> None:
        if self._thread is None:
            return
        if self._error is not None:
            self.stop()
            return
        elapsed = self._grab_due()
        if int(elapsed) != self._last_second:
            self._last_second = int(elapsed)
            self.ticked.emit(elapsed)

    def _grab_due(self, wait: bool = False) -> float:
        """Grab the window if a frame is due (``wait``: for room in the queue rather than drop it);
        the seconds recorded so far."""
        elapsed = time.perf_counter() - self._t0
        due = math.floor(elapsed * self._fps) + 1 - self.frames  # frames since the last grab, at the video's pace
        if due > 0:
            if self._queue.full() and not wait:
                self.dropped += 1  # the encoder is behind: the next grab fills this one's time
            else:
                self._queue.put((grab_window(self._widget).toImage(), due))
                self.frames += due
        return elapsed

    def _encode(self, path: Path, size: Size, opened: threading.Event) -> None:
        """The side thread: open the sink on a temporary file beside ``path``, write each grab
        until ``None``, and rename the file to ``path`` only once it plays back; after any error
        (``_error`` says which) no file is left under ``path``."""
        _be_nice()
        try:
            ensure_folder(path.parent)
            if not os.access(path.parent, os.W_OK):
                raise RecordingError(f"the folder {path.parent} is not writable")
            with atomic_path(path) as part:
                sink = self._sink_factory(part, self._fps, size)
                opened.set()
                self._write_all(sink, size)
                self._error = self._error or playback_problem(part)
                if self._error is not None:
                    raise RecordingError(self._error)
        except Exception as exc:  # an encoder's own errors too: the recording fails, the lecture goes on
            self._error = self._error or reason_of(exc)
        finally:
            opened.set()

    def _write_all(self, sink: FrameSink, size: Size) -> None:
        """Convert and write each grab until ``None``, then close the sink (after an error, keep
        taking grabs off the queue so that the GUI never blocks)."""
        try:
            while (item := self._queue.get()) is not None:
                if self._error is not None:
                    continue
                image, repeats = item
                try:
                    frame = fit(image_to_bgr(image), size)
                    for _ in range(repeats):
                        sink.write(frame)
                except Exception as exc:
                    self._error = reason_of(exc)
        finally:
            try:
                sink.close()
            except Exception as exc:
                self._error = self._error or reason_of(exc)


def _be_nice() -> None:
    """Lower the calling thread's CPU priority (Linux: nice is per thread), so that encoding gives
    way to inference and drawing on a busy machine; elsewhere nothing."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), ENCODER_NICE)


class RecordingIndicator(QLabel):
    """The red "● REC 00:12" in the status bar while a recording runs."""

    def __init__(self, recorder: Recorder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("color: white; background: #c62828; font-weight: bold; padding: 0 8px; border-radius: 3px;")
        self.hide()
        recorder.started.connect(self._on_started)
        recorder.ticked.connect(self._on_ticked)
        recorder.finished.connect(self.hide)
        recorder.failed.connect(self.hide)

    def _on_started(self, _path: str) -> None:
        self._on_ticked(0.0)
        self.show()

    def _on_ticked(self, seconds: float) -> None:
        minutes, rest = divmod(int(seconds), 60)
        self.setText(f"● REC {minutes:02d}:{rest:02d}")
