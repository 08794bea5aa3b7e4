"""A video file played through the camera's cv2.VideoCapture path, at the file's own pace."""

from __future__ import annotations

import math
import time
from pathlib import Path

from viz_app.opencv import cv2
from viz_app.sources.camera import CaptureSource, quiet_opencv

DEFAULT_FPS = 30.0


def video_opens(path: str | Path) -> bool:
    """Whether ``path`` is a video OpenCV can open and read a first frame from."""
    with quiet_opencv():
        cap = cv2.VideoCapture(str(path))
        try:
            return bool(cap.isOpened()) and bool(cap.read()[0])
        finally:
            cap.release()


class VideoSource(CaptureSource):
    """`video:PATH`: frames at the file's frame rate, newest wins; the end is a message
    (or, with ``loop``, the start again). Freeze pauses playback."""

    name = "video"
    retry_open = False

    def __init__(self, path: str | Path, loop: bool = False) -> None:
        super().__init__(str(path))
        self.path = Path(path)
        self.loop = loop
        self.fps = DEFAULT_FPS
        self.dropped = 0  # frames skipped to keep up with the clock
        self._t0 = 0.0
        self._index = 0

    def describe(self) -> str:
        return f"video {self.path.name}"

    def _open(self) -> cv2.VideoCapture | None:
        if not self.path.is_file():
            return None
        cap = super()._open()
        if cap is None:
            return None
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if math.isfinite(fps) and 1.0 <= fps <= 240.0 else DEFAULT_FPS
        self._t0 = time.perf_counter()
        self._index = 0
        return cap

    def _open_failed_message(self) -> str:
        if not self.path.exists():
            return f"Video {self.path}: no such file"
        return f"Video {self.path.name}: not a readable video (damaged or an unknown format)"

    def _live(self) -> bool:
        return False

    def _pace(self, cap: cv2.VideoCapture) -> None:
        """Sleep until the next frame is due; skip frames (grab without decoding) when late."""
        if self._frozen:
            paused = time.perf_counter()
            while self._frozen and not self._stop.is_set() and not self._reopen:
                self._stop.wait(0.02)
            self._t0 += time.perf_counter() - paused
        self._index += 1
        period = 1.0 / self.fps
        late = time.perf_counter() - (self._t0 + self._index * period)
        while late > period and not self._stop.is_set():
            if not cap.grab():
                return
            self.dropped += 1
            self._index += 1
            late -= period
        if late < 0:
            self._stop.wait(-late)

    def _on_end(self) -> bool:
        if self.loop:
            return True
        self._error(f"{self.describe().capitalize()} ended ({self.frames} frames shown, {self.dropped} skipped)")
        return False

    def restart(self) -> None:
        """Play again from the start (also after the end)."""
        if self.running:
            self.reconnect()
        elif self._on_frame is not None and self._on_error is not None:
            self.start(self._on_frame, self._on_error)
