"""What every frame producer offers: start with callbacks, stop, and say what it is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from viz_app.records.frames import Frame

FrameCallback = Callable[[Frame], None]
ErrorCallback = Callable[[str], None]


class Source(Protocol):
    """A producer of frames (camera, video, image files, data set browser, drawing pad).

    ``start`` begins delivering frames to ``on_frame`` (from any thread, newest first: a
    source never queues old frames); problems a user can cause or fix (no camera, a file
    that ends or cannot be read) go to ``on_error`` as a readable message and the source
    stops or retries, it never raises into the caller. ``stop`` is idempotent.
    """

    name: str

    def start(self, on_frame: FrameCallback, on_error: ErrorCallback) -> None: ...

    def stop(self) -> None: ...
