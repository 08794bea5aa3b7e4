"""String mode for any source: its frames marked as a string of digits while the mode is on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from viz_app.records.frames import Frame, Layout
from viz_app.sources.base import ErrorCallback, FrameCallback, Source

STRING_ASPECT = 5.0  # a string's region of interest: five times as wide as high (a postcode)


class StringStamped:
    """Delivers ``source``'s frames laid out as a string (``Layout.STRING``) while ``string_mode()`` says so.

    Same name, start and stop as the source it wraps, and its other attributes (``running``,
    ``fps``...) passed through; the tab keeps the source itself for its own controls.
    """

    def __init__(self, source: Source, string_mode: Callable[[], bool]) -> None:
        self.source = source
        self.name = source.name
        self._string_mode = string_mode

    def start(self, on_frame: FrameCallback, on_error: ErrorCallback) -> None:
        """Start the source; each frame is marked as it passes."""

        def stamped(frame: Frame) -> None:
            string = self._string_mode()
            layout = Layout.STRING if string else Layout.DIGIT
            on_frame(replace(frame, layout=layout) if layout is not frame.layout else frame)

        self.source.start(stamped, on_error)

    def stop(self) -> None:
        self.source.stop()

    def __getattr__(self, name: str) -> object:
        return getattr(self.source, name)


def wide_roi(width: int, height: int, share: float = 0.9, aspect: float = STRING_ASPECT) -> tuple[int, int, int, int]:
    """A centred region of interest for a string: ``share`` of the frame's width, ``aspect``
    times as wide as high (less wide where the frame is not high enough)."""
    w = max(8, round(width * share))
    h = max(8, min(round(height * share), round(w / aspect)))
    return (width - w) // 2, (height - h) // 2, w, h
