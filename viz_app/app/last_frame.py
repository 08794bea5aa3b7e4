"""The inference worker's last raw frame, and when to run it again.

A setting that changes what a frame shows (layers, colours, a panel's extra) runs the last frame
again at once. A model switch is different: the window answers a new model with requests of its
own (the panel in view asks for its extra, a panel whose selection belonged to the old model
drops it), and those arrive after the switch, sooner or later depending on how busy the window
is. Run at the switch and again at each request, the last frame would run two or three times.
So after a switch the frame runs once, when the window says it has caught up with the new model
(its requests, sent before that word on the same queue, are in force by then), or after
``CATCH_UP_MS`` if it never says so.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from viz_app.app.threads import LatestMailbox
from viz_app.records.frames import Frame, ModelInfo

CATCH_UP_MS = 2000  # the longest a switched model waits for the window before it shows the last frame


class LastFrame(QObject):
    """Lives in the inference thread with its worker; ``follows_window`` is set when a window answers switches."""

    def __init__(self, mailbox: LatestMailbox, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.frame: Frame | None = None
        self.follows_window = False
        self._mailbox = mailbox
        self._switched_to: ModelInfo | None = None  # the model whose window has not caught up yet
        self._timer = QTimer(self, singleShot=True, interval=CATCH_UP_MS)
        self._timer.timeout.connect(self._run)

    def seen(self, frame: Frame) -> None:
        """``frame`` is the newest one run."""
        self.frame = frame

    def rerun(self) -> None:
        """A setting changed: run the last frame again, unless newer input waits or a switch is
        still waiting for the window (the frame then runs once the window has caught up)."""
        if self._switched_to is None:
            self._put()

    def switched(self, info: ModelInfo) -> None:
        """A new model is in place: run the last frame once the window has caught up with ``info``."""
        if not self.follows_window:
            self._put()
            return
        self._switched_to = info
        self._timer.start()

    def caught_up(self, info: ModelInfo) -> None:
        """The window shows ``info`` and has sent what it asks of it; an answer about a model
        switched away from since is ignored."""
        if self._switched_to is not None and info == self._switched_to:
            self._run()

    def cancel(self) -> None:
        """Nothing more runs (closing)."""
        self._timer.stop()
        self._switched_to = None
        self.frame = None

    def _run(self) -> None:
        self._timer.stop()
        self._switched_to = None
        self._put()

    def _put(self) -> None:
        # The last frame must not replace a newer one still in the mailbox: the window would then
        # end on the old input while the user's last stroke is never seen.
        if self.frame is not None:
            self._mailbox.put(self.frame, replace=False)
