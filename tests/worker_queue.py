"""Waiting for the inference thread to run out of work: a condition, not a pause.

``drain(qtbot, worker)`` runs a marker in the worker's thread, after everything already queued
there, and waits for it, ``rounds`` times: each round also lets through what the one before it
queued (a request that puts the last frame in the mailbox, then the mailbox's delivery of that
frame). Then the GUI thread handles what the worker sent it meanwhile (its results). A test that
checks that something did *not* happen waits with this instead of a fixed sleep.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot


class _Marker(QObject):
    """Lives in the worker's thread: a ping, queued there behind everything else, sets ``ran``."""

    ping = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.ran = threading.Event()
        self.ping.connect(self._on_ping)

    @Slot()
    def _on_ping(self) -> None:
        self.ran.set()


def drain(qtbot, worker: QObject, rounds: int = 3, timeout_ms: int = 30_000) -> None:  # noqa: ANN001 - pytest-qt's qtbot
    """Return once ``worker``'s thread has run everything queued for it (``rounds`` times over)
    and this thread has handled what it sent back."""
    for _ in range(rounds):
        marker = _Marker()
        marker.moveToThread(worker.thread())
        marker.ping.emit()  # queued: the marker's thread is the worker's
        qtbot.waitUntil(marker.ran.is_set, timeout=timeout_ms)
        marker.deleteLater()
        QCoreApplication.processEvents()


_generation = [0]


def ask(worker: object, name: str, weights: str | None = None, device: str = "cpu", **shown: object) -> None:
    """Ask ``worker`` (an InferenceWorker) for model ``name`` as the window's view would: a whole
    request, with the next generation; ``shown``: its layers, norm or extras."""
    from viz_app.state.options import RunOptions
    from viz_app.state.view import WorkerRequest

    _generation[0] += 1
    worker.request(WorkerRequest.of_model(name, weights, RunOptions(device), _generation[0], **shown))  # type: ignore[attr-defined]
