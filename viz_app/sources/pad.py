"""The drawing pad as a Source: the window's pad draws, this hands its ink to the network."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from viz_app.records.frames import Frame
from viz_app.sources.base import ErrorCallback, FrameCallback


class PadSource:
    """Delivers the drawing pad's ink frames while it is the shown input.

    The pad widget stays in the window; whoever owns both ``feed``s this every frame the pad
    offers, on the GUI thread, and it passes them straight on (no queue: the pad's latency
    path is one direct call into the worker's mailbox). ``start`` re-delivers the current
    drawing, so coming back to the pad shows what is on it.
    """

    name = "pad"

    def __init__(self, current: Frame | None = None) -> None:
        self._lock = threading.Lock()
        self._current = current
        self._on_frame: FrameCallback | None = None

    @property
    def current(self) -> Frame | None:
        """The pad's latest frame, delivered or not."""
        return self._current

    @property
    def running(self) -> bool:
        """Whether frames fed are delivered (the pad's tab is shown)."""
        return self._on_frame is not None

    def start(self, on_frame: FrameCallback, on_error: ErrorCallback) -> None:
        """Deliver every frame fed from now on, beginning with the current drawing."""
        with self._lock:
            self._on_frame = on_frame
            current = self._current
        if current is not None:
            on_frame(replace(current, t_event=time.perf_counter()))

    def stop(self) -> None:
        """Deliver nothing more (frames fed are still remembered)."""
        with self._lock:
            self._on_frame = None

    def feed(self, frame: Frame) -> None:
        """The pad changed: remember its ink, and deliver it while started."""
        with self._lock:
            self._current = frame
            on_frame = self._on_frame
        if on_frame is not None:
            on_frame(frame)
