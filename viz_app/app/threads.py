"""The two ways work crosses threads in the app, each written once.

``LatestMailbox``: a one-slot, latest-wins hand-over. Frames go into the inference thread
through one (the worker's), results come out to the GUI thread through another (the
session's), raw frames reach a source tab's live view through a third. ``put`` works from
any thread; ``arrived`` fires in the thread the mailbox lives in, with the newest item only
(Qt's Mandelbrot example: the caller only stores, the owner's thread does the work). A
mailbox can be held after a delivery until its receiver's result has been drawn (``hold``,
``resume``): the worker's mailbox, where a model that takes every core would otherwise start
its next forward while the GUI thread paints the last one.

``OffThread``: run one function on a side thread and deliver its result, or its error as a
message, as a signal in the owner's thread (napari's ``_qt/qthreading.py`` is the model).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot


class LatestMailbox(QObject):
    """``put`` from any thread; ``arrived`` fires in the mailbox's thread with the newest item only.

    A busy receiver then handles the item of now, not a queue of old ones. ``close()`` drops
    the waiting item and every later ``put``.
    """

    arrived = Signal(object)
    message = Signal(str)  # passed on in the mailbox's thread, every one
    _due = Signal()
    _message_due = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._item: object | None = None
        self._scheduled = False
        self._closed = False
        self._held = False
        self._hold_timer = QTimer(self, singleShot=True)  # moves with the mailbox to its thread
        self._hold_timer.timeout.connect(self.resume)
        self._due.connect(self._on_due, Qt.ConnectionType.QueuedConnection)
        self._message_due.connect(self._on_message_due, Qt.ConnectionType.QueuedConnection)

    @property
    def closed(self) -> bool:
        """Whether the mailbox was closed (it takes nothing more)."""
        return self._closed

    def put(self, item: object, replace: bool = True) -> bool:
        """Offer ``item``; with ``replace=False`` only into an empty slot. True when it was taken."""
        with self._lock:
            if self._closed or (self._item is not None and not replace):
                return False
            self._item = item
            wake = not self._scheduled and not self._held
            self._scheduled = self._scheduled or wake
        if wake:
            self._due.emit()
        return True

    @property
    def held(self) -> bool:
        """Whether deliveries wait for ``resume()``."""
        return self._held

    def hold(self, timeout_ms: int) -> None:
        """Deliver nothing until ``resume()``, or ``timeout_ms`` from now at the latest (a
        receiver that never answers must not stop the flow). Items put meanwhile wait, the
        newest only. Only in the mailbox's thread: its timer lives there, and a hold without
        its timer could wait for ever."""
        if self._hold_timer.thread() != QThread.currentThread():
            raise RuntimeError("LatestMailbox.hold() runs in the mailbox's own thread")
        with self._lock:
            self._held = True
        self._hold_timer.start(timeout_ms)

    def resume(self) -> None:
        """End a hold, from any thread: the newest item put meanwhile is delivered. (A late answer
        to an earlier hold that ran out ends the current one: a frame goes early, none is lost.)"""
        with self._lock:
            wake = self._held and self._item is not None and not self._scheduled and not self._closed
            self._held = False
            self._scheduled = self._scheduled or wake
        if wake:
            self._due.emit()

    def put_message(self, text: str) -> None:
        """Pass ``text`` on as ``message`` in the mailbox's thread (messages are never dropped)."""
        if not self._closed:
            self._message_due.emit(text)

    def close(self) -> None:
        """Drop the waiting item and every later put and message."""
        with self._lock:
            self._closed = True
            self._item = None
            self._held = False
        if self._hold_timer.thread() == QThread.currentThread():
            self._hold_timer.stop()  # a timer can be stopped only in its own thread

    @Slot()
    def _on_due(self) -> None:
        with self._lock:
            self._scheduled = False
            if self._closed or self._held:
                return  # held: the item waits for resume()
            item, self._item = self._item, None
        if item is not None:
            # Anything put while this runs schedules a new delivery that goes round the
            # event loop first, so events queued in between are taken before it.
            self.arrived.emit(item)

    @Slot(str)
    def _on_message_due(self, text: str) -> None:
        if not self._closed:
            self.message.emit(text)


class OffThread(QObject):
    """Runs functions on one side thread, one after the other, and reports each in the
    owner's thread: ``finished(context, result)`` or ``failed(context, message)``.

    ``context`` is whatever the caller passed to ``run`` to tell the answers apart. After
    ``close()`` nothing more is reported and work not yet begun is cancelled.
    """

    finished = Signal(object, object)  # context, the function's result
    failed = Signal(object, str)  # context, the error as a message for the user
    _done = Signal(object, bool, object)  # context, whether it worked, result or message

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = False
        self._done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)

    def run(self, function: Callable[..., Any], *args: Any, context: object = None) -> None:
        """Call ``function(*args)`` on the side thread."""
        if self._closed:
            return
        future = self._pool.submit(function, *args)
        future.add_done_callback(lambda done: self._report(done, context))

    def close(self) -> None:
        """Report nothing more and cancel what has not begun."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _report(self, future: Future, context: object) -> None:
        """Side thread: hand the outcome to the owner's thread."""
        if future.cancelled() or self._closed:
            return
        try:
            self._done.emit(context, True, future.result())
        except Exception as exc:  # the function's own error; the app carries on
            self._done.emit(context, False, str(exc) or type(exc).__name__)

    @Slot(object, bool, object)
    def _on_done(self, context: object, ok: bool, value: object) -> None:
        if self._closed:
            return
        if ok:
            self.finished.emit(context, value)
        else:
            self.failed.emit(context, str(value))


class WhenIdle(QObject):
    """Starts a one-off job once the input has rested ``rest_s`` seconds (``touch()`` at each
    input): heavy work that can wait, such as a model's cost table, whose first FLOP count
    imports torch's compiler stack (1.5 s of interpreter time), then does not slow the frames
    of a stroke being drawn. Lives, and runs its job, in the thread it belongs to."""

    def __init__(self, rest_s: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rest_s = rest_s
        self._last_input = 0.0
        self._job: Callable[[], object] | None = None
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._check)

    def touch(self) -> None:
        """An input arrived: the job waits for the next pause."""
        self._last_input = time.perf_counter()

    def start(self, job: Callable[[], object]) -> None:
        """Run ``job`` once the input has rested ``rest_s`` from now (replacing one still waiting)."""
        self._job = job
        self.touch()
        self._check()

    def cancel(self) -> None:
        """Forget the waiting job."""
        self._job = None
        self._timer.stop()

    def _check(self) -> None:
        if self._job is None:
            return
        wait = self.rest_s - (time.perf_counter() - self._last_input)
        if wait > 0:
            self._timer.start(int(wait * 1000) + 1)
            return
        job, self._job = self._job, None
        job()


class OnThisThread(QObject):
    """A handler of another thread's signal that runs on the thread this object lives in.

    PySide6 runs a plain callable (a lambda, a method of an object that is not a QObject) on the
    thread that emitted the signal: a worker's ``refused`` handled by the session would touch the
    window from the inference thread. Connected to this object's ``call`` it is queued here.
    """

    def __init__(self, handler: Callable[..., object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler = handler

    @Slot(object, str)
    def call(self, first: object, second: str) -> None:
        """Run the handler with the signal's two arguments (an object and a message)."""
        self._handler(first, second)
