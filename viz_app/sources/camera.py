"""A webcam through OpenCV, read continuously in its own thread so that the newest frame wins.

OpenCV (V4L2, DirectShow) buffers 3-4 frames by default, which a lecturer sees as lag: the
buffer is set to 1 and the thread reads as fast as the camera delivers. Frames go to the
callback straight away; whoever consumes them keeps only the newest. A camera that cannot be
opened or that dies mid-stream gives a message, and the thread tries it again every few
seconds (or at once on ``reconnect()``), so a camera plugged back in is picked up again.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from viz_app.opencv import cv2
from viz_app.records.frames import Frame, FrameKind
from viz_app.sources.base import ErrorCallback, FrameCallback

RESOLUTIONS: tuple[tuple[int, int], ...] = ((320, 240), (640, 480), (1280, 720), (1920, 1080))


@contextlib.contextmanager
def quiet_opencv() -> Iterator[None]:
    """Silence OpenCV's own warnings (a missing camera logs several lines per try)."""
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(level)


def camera_opens(index: int) -> bool:
    """Whether camera ``index`` opens now (it is released again at once)."""
    with quiet_opencv():
        cap = cv2.VideoCapture(index)
        opened = bool(cap.isOpened())
        cap.release()
    return opened


def list_cameras(max_index: int = 8) -> list[int]:
    """Indices of the cameras present: /dev/video* on Linux, else the ones that open."""
    if sys.platform.startswith("linux"):
        found = sorted(int(p.name[5:]) for p in Path("/dev").glob("video*") if p.name[5:].isdigit())
        return [i for i in found if i < 64]
    present = []
    with quiet_opencv():
        for index in range(max_index):
            cap = cv2.VideoCapture(index)
            if cap.isOpened():
                present.append(index)
            cap.release()
    return present


class CaptureSource:
    """Frames from a cv2.VideoCapture read in a thread of its own; the base of camera and video.

    ``target`` is what cv2.VideoCapture opens: a camera index or a file name.
    """

    name = "capture"
    retry_s = 2.0  # seconds between attempts to (re)open
    retry_open = True  # keep trying a device that does not open (a camera may be plugged in)
    stall_s = 2.0  # no frame for this long means the device is gone

    def __init__(self, target: int | str, resolution: tuple[int, int] | None = None) -> None:
        self.target = target
        self.resolution = resolution
        self.mirror = False
        self.frames = 0  # frames delivered
        self.last_frame: Frame | None = None
        self._frozen = False
        self._stop = threading.Event()
        self._wake = threading.Event()  # reconnect now, or apply a new setting
        self._reopen = False
        self._thread: threading.Thread | None = None
        self._on_frame: FrameCallback | None = None
        self._on_error: ErrorCallback | None = None

    # --- the Source protocol --------------------------------------------------------------------
    def start(self, on_frame: FrameCallback, on_error: ErrorCallback) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._on_frame, self._on_error = on_frame, on_error
        self._stop.clear()
        self._thread = threading.Thread(target=self._run_guarded, name=f"source-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- controls (any thread) ----------------------------------------------------------------------
    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self, frozen: bool = True) -> None:
        """Hold the picture: frames are still read (the buffer stays fresh) but not delivered."""
        self._frozen = frozen

    def reconnect(self) -> None:
        """Close the device and open it again now, instead of at the next periodic retry."""
        self._reopen = True
        self._wake.set()

    def set_resolution(self, resolution: tuple[int, int] | None) -> None:
        """Ask for a capture size (the device may pick the nearest one it has)."""
        self.resolution = resolution
        self.reconnect()

    # --- the capture thread ---------------------------------------------------------------------------
    def describe(self) -> str:
        return f"camera {self.target}"

    def _run_guarded(self) -> None:
        try:
            self._run()
        except Exception as exc:  # a source never takes the app down
            self._error(f"{self.describe().capitalize()} failed: {exc}")

    def _open(self) -> cv2.VideoCapture | None:
        with quiet_opencv():
            cap = cv2.VideoCapture(self.target)
        if not cap.isOpened():
            cap.release()
            return None
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if self.resolution is not None:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.resolution[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.resolution[1])
        return cap

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._reopen = False
            cap = self._open()
            if cap is None:
                if failures == 0:
                    self._error(self._open_failed_message())
                failures += 1
                if not self.retry_open:
                    return
                self._sleep(self.retry_s)
                continue
            if failures:
                self._error(f"{self.describe().capitalize()} is back")
            failures = 0
            try:
                ended = self._read_loop(cap)
            finally:
                cap.release()
            if ended and not self._stop.is_set():
                if not self._on_end():
                    return
                failures = 1 if self._live() else 0  # a camera says when it is back

    def _read_loop(self, cap: cv2.VideoCapture) -> bool:
        """Read until stopped, asked to reopen (False) or the stream dies (True)."""
        last_ok = time.perf_counter()
        while not self._stop.is_set() and not self._reopen:
            ok, bgr = cap.read()
            t_event = time.perf_counter()
            if not ok or bgr is None:
                if t_event - last_ok > self.stall_s or not self._live():
                    return True
                time.sleep(0.01)
                continue
            last_ok = t_event
            if not self._frozen:
                self._deliver(bgr, t_event)
            self._pace(cap)
        return False

    def _deliver(self, bgr: np.ndarray, t_event: float) -> None:
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB) if bgr.ndim == 3 else bgr
        if self.mirror:
            rgb = cv2.flip(rgb, 1)
        self.frames += 1
        frame = Frame(rgb, t_event, self.frames, self.name, kind=FrameKind.PHOTO)
        self.last_frame = frame
        if self._on_frame is not None:
            self._on_frame(frame)

    def _error(self, message: str) -> None:
        if self._on_error is not None:
            self._on_error(message)

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()

    # --- what camera and video do differently -----------------------------------------------------------
    def _open_failed_message(self) -> str:
        return f"Could not open {self.describe()}; retrying every {self.retry_s:.0f} s"

    def _live(self) -> bool:
        """Whether a failed read may be a hiccup (a camera) rather than the end (a file)."""
        return True

    def _pace(self, cap: cv2.VideoCapture) -> None:
        """Wait before the next read; a camera's read blocks until its next frame anyway."""

    def _on_end(self) -> bool:
        """The stream died: say so; True to try opening it again."""
        self._error(f"{self.describe().capitalize()} stopped delivering frames (unplugged?); retrying every {self.retry_s:.0f} s")
        self._sleep(self.retry_s)
        return True


class CameraSource(CaptureSource):
    """`camera[:INDEX]`: a webcam, with freeze, mirror, resolution and reconnect."""

    name = "camera"

    def __init__(self, index: int | str = 0, resolution: tuple[int, int] | None = (640, 480), mirror: bool = False) -> None:
        """``index``: OpenCV's camera index, or a device path or stream URL."""
        super().__init__(index, resolution)
        self.mirror = mirror
