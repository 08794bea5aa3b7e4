"""Ctrl+C in the terminal (SIGINT) and a polite kill (SIGTERM) close the window as its Quit does.

The window then saves its settings, finishes a recording in progress and ends the process as
after Ctrl+Q. Python runs a signal handler only between bytecodes, and Qt's event loop may sit
in C++ for a long while: the handler's byte goes to a socket (``signal.set_wakeup_fd``) that a
``QSocketNotifier`` watches, so the loop wakes up at once.
"""

from __future__ import annotations

import contextlib
import signal
import socket

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtWidgets import QWidget

SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s is not None)


class QuitOnSignals(QObject):
    """Closes ``window`` when the process gets SIGINT or SIGTERM; ``remove()`` restores the defaults."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous = {number: signal.signal(number, _note) for number in SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_signal)

    def remove(self) -> None:
        """Put back the handlers there were before; signals then act as they did."""
        self._notifier.setEnabled(False)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()

    def _on_signal(self) -> None:
        with contextlib.suppress(OSError):
            self._reader.recv(64)  # the signal numbers written; any of them means: close
        self._window.close()


def _note(_number: int, _frame: object) -> None:
    """Python's part of the handler: nothing (the wake-up byte closes the window), and no KeyboardInterrupt."""
