"""The inference worker's last raw frame, run again when what is computed changes.

Each request the worker applies (another model, layers, colouring, a panel's extra) runs the
last frame once, so the panels show the current input under what is now in force. It never
replaces a newer frame still waiting: the window would then end on the old input while the
user's last stroke is never seen.
"""

from __future__ import annotations

import time
from dataclasses import replace

from PySide6.QtCore import QObject

from viz_app.app.threads import LatestMailbox
from viz_app.records.frames import Frame


class LastFrame(QObject):
    """Lives in the inference thread with its worker."""

    def __init__(self, mailbox: LatestMailbox, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.frame: Frame | None = None
        self._mailbox = mailbox

    def seen(self, frame: Frame) -> None:
        """``frame`` is the newest one run."""
        self.frame = frame

    def rerun(self) -> None:
        """Run the last frame again, unless newer input waits. It answers the change made now (new
        weights, say), not its old input event: its latency counts from now."""
        if self.frame is not None:
            self._mailbox.put(replace(self.frame, t_event=time.perf_counter()), replace=False)

    def cancel(self) -> None:
        """Nothing more runs (closing)."""
        self.frame = None
