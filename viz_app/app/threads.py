"""Handing frames and messages from a source's thread to the GUI thread, newest first."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal


class LatestMailbox(QObject):
    """``put`` from any thread; ``arrived`` fires in the GUI thread with the newest item only.

    A GUI busy for a moment then draws the frame of now, not a queue of old ones.
    """

    arrived = Signal(object)
    message = Signal(str)  # passed on in the GUI thread, every one
    _due = Signal()
    _message_due = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._item: object | None = None
        self._scheduled = False
        self._due.connect(self._on_due, Qt.ConnectionType.QueuedConnection)
        self._message_due.connect(self.message, Qt.ConnectionType.QueuedConnection)

    def put(self, item: object) -> None:
        with self._lock:
            self._item = item
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._due.emit()

    def put_message(self, text: str) -> None:
        self._message_due.emit(text)

    def _on_due(self) -> None:
        with self._lock:
            item, self._item = self._item, None
            self._scheduled = False
        if item is not None:
            self.arrived.emit(item)
