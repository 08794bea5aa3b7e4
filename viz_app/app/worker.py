"""The inference worker: a QObject in its own QThread that owns the model and its hooks.

Sources hand it raw frames with ``submit()`` from any thread; a one-slot mailbox keeps only the
newest frame ("latest wins"), so a burst of input never queues up behind a slow forward pass,
and the frame is prepared for the model on this thread when it runs. What to compute comes as
whole requests (``request(WorkerRequest)``, made from the window's view state), through a second
latest-wins mailbox: the worker applies what differs from what is in force (``app.apply``),
runs the last frame once and tags every result with the request's generation and its model.
Results leave as immutable numpy-only FrameResult objects through a queued signal; no tensor
ever reaches the GUI thread.
"""

from __future__ import annotations

import contextlib
import math
import threading
import traceback

import torch
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from viz_app.app.apply import Applier
from viz_app.app.last_frame import LastFrame
from viz_app.app.threads import LatestMailbox, OffThread, WhenIdle
from viz_app.cores import SharedCore
from viz_app.errors import UserError, debugging
from viz_app.memory import one_heap
from viz_app.models.cancel import Cancelled, cancellable
from viz_app.models.device import waits_for_drawing
from viz_app.models.inputs import InputError
from viz_app.models.registry import ModelSpec
from viz_app.models.summary import cached_summary, layer_choices
from viz_app.probe.pipeline import Pipeline
from viz_app.records.costs import ModelSummary
from viz_app.records.frames import Frame
from viz_app.state.panels import PANELS
from viz_app.state.view import WorkerRequest

PRELOAD_AFTER_REST_S = 3.0  # the extras are imported in the first pause this long (in this thread: no second interpreter user)
COSTS_AFTER_REST_S = 2.0  # a model's cost table waits for this pause in the input (its first count imports a lot)
DRAWING_WAIT_MS = 100  # the longest a model that waits for the drawing of its last frame waits (models.device)


class InferenceWorker(QObject):
    """Runs raw frames through the model in force; lives in the inference thread. Every frame is
    prepared here for the model in force when it runs: a switch never sees a frame cut for the old one."""

    result_ready = Signal(object)  # FrameResult; answer with drawn() once shown (models.device.waits_for_drawing)
    model_loaded = Signal(object)  # ModelInfo, before the first result made with it
    applied = Signal(object)  # WorkerRequest: what is in force after each request
    refused = Signal(object, str)  # WorkerRequest in force, why the last request was not applied in full
    failed = Signal(str)  # a message for the user; the worker carries on
    input_rejected = Signal(str)  # a frame that cannot become an input (its ROI, its shape): the user's message
    download_progress = Signal(str, int, int)  # model name, bytes done, bytes in all (0: unknown)
    summary_ready = Signal(object, object, object)  # ModelSummary, [(path, title)] choices, default paths
    released = Signal(str)  # a model was freed on this device type: collect garbage on the GUI thread

    def __init__(self, cores: SharedCore | None = None) -> None:
        super().__init__()
        self._closing = threading.Event()  # set from any thread: stop loads and cost tables
        self.processed = 0
        self.applier = Applier(self._closing, self._on_download_progress, cores or SharedCore())
        # Children move into the inference thread with the worker: the mailboxes then deliver
        # there, and the cost tables report there.
        self._frames = LatestMailbox(self)
        self._frames.arrived.connect(self._on_frame_arrived)
        self._requests = LatestMailbox(self)
        self._requests.arrived.connect(self._on_request)
        self.last = LastFrame(self._frames, self)
        self.failures = FailureCount()
        # Cost tables run a whole forward under the FLOP counter: seconds for big models, so
        # on a side thread with a copy of the model, never in the frame loop.
        self._costs = OffThread("costs", self)
        self._costs.finished.connect(self._on_costs_ready)
        self._costs.failed.connect(self._on_costs_failed)
        self._costs_when_idle = WhenIdle(COSTS_AFTER_REST_S, self)  # moves to the inference thread with the worker
        self._preload_when_idle = WhenIdle(PRELOAD_AFTER_REST_S, self)  # the extras' imports, once, in a pause
        self._preloaded = False

    # --- any thread -------------------------------------------------------------------
    def submit(self, frame: Frame) -> None:
        """Offer a raw frame; it replaces any frame still waiting."""
        self._frames.put(frame)

    def request(self, request: WorkerRequest) -> None:
        """Compute what ``request`` asks from now on; it replaces any request still waiting."""
        self._requests.put(request)

    def drawn(self) -> None:
        """The GUI thread has drawn the last result: the next frame may start (any thread)."""
        self._frames.resume()

    def cancel(self) -> None:
        """Stop a model load or cost table in progress at its next tensor operation; for closing."""
        self._closing.set()

    @property
    def pipeline(self) -> Pipeline | None:
        """The pipeline of the model in force (None before the first load); for tests and benches."""
        return self.applier.pipeline

    # --- inference thread ---------------------------------------------------------------
    @Slot(object)
    def _on_frame_arrived(self, frame: Frame) -> None:
        self.last.seen(frame)
        self._costs_when_idle.touch()
        self._preload_when_idle.touch()
        pipeline = self.applier.pipeline
        if pipeline is None:
            return
        try:
            result = pipeline.process(frame)
        except InputError as exc:
            self.input_rejected.emit(str(exc))
            return
        except Exception as exc:  # a frame must never take the thread down
            if debugging() and not isinstance(exc, UserError):
                traceback.print_exc()
            message = self.failures.count(exc)
            if message is not None:
                self.failed.emit(message)
            return
        self.processed += 1
        if waits_for_drawing(pipeline.device, torch.get_num_threads()):
            self._frames.hold(DRAWING_WAIT_MS)  # before the result leaves: its drawing may end first
        self.result_ready.emit(result)

    @Slot(object)
    def _on_request(self, request: WorkerRequest) -> None:
        """Apply ``request`` (what differs from what is in force), then run the last frame once."""
        try:
            outcome = self.applier.apply(request)
        except Cancelled:
            return  # closing: nobody is waiting for this model any more
        if outcome.loaded is not None:
            self.failures = FailureCount()  # a new model: its first failure is news again
        if outcome.released is not None:
            self.released.emit(outcome.released)
        if outcome.loaded is not None:
            self.model_loaded.emit(outcome.loaded)
            if not self._preloaded:  # once, after the first model, when the input rests: frames come first
                self._preloaded = True
                self._preload_when_idle.start(preload_extras)
            spec = self.applier.pipeline.loaded.spec if self.applier.pipeline is not None else None
            if spec is not None:
                self._costs_when_idle.start(lambda: self._costs.run(cancellable, self._closing, cached_summary, spec.name, context=spec))
        for message in outcome.messages:
            self.failed.emit(message)
        in_force = self.applier.applied
        if outcome.refused is not None:
            self.refused.emit(in_force, outcome.refused)
        self.applied.emit(in_force)
        self.last.rerun()

    def _on_download_progress(self, name: str, done: int, total: int) -> None:
        """Pass a download's progress on; closing stops the download at its next chunk."""
        if self._closing.is_set():
            raise Cancelled("stopped on request")
        self.download_progress.emit(name, done, total)

    @Slot(object, object)
    def _on_costs_ready(self, spec: ModelSpec, summary: ModelSummary) -> None:
        self.released.emit("cpu")  # the cost table's own copy of the model is gone: its memory goes back too
        self.summary_ready.emit(summary, layer_choices(summary, spec.layers), [n for n, _ in spec.layers])

    @Slot(object, str)
    def _on_costs_failed(self, spec: ModelSpec, message: str) -> None:
        if self._closing.is_set():
            return
        self.released.emit("cpu")
        self.failed.emit(f"No cost table for {spec.name}: {message}")

    @Slot()
    def shutdown(self) -> None:
        """Drop waiting and later frames and requests, cancel cost tables, free the model, end the thread's loop."""
        self._frames.close()
        self._requests.close()
        self.last.cancel()
        self._costs_when_idle.cancel()
        self._preload_when_idle.cancel()
        self._costs.close()
        released = self.applier.close()
        if released is not None:
            self.released.emit(released)
        self.thread().quit()


def preload_extras() -> None:
    """Import every insight panel's extra ahead of its tab (torchvision's transforms alone take one
    to three seconds): the first tab opened then shows its panel at once, not after the import.
    An extra that fails to import says so when its tab is opened (the same import again)."""
    for spec in PANELS:
        with contextlib.suppress(Exception):
            spec.load_extra()


class FailureCount:
    """Frames that failed, counted by what went wrong: a model that fails on every frame is
    reported once, then at the 10th, 100th, 1,000th... time, not 120 times a second."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def count(self, exc: Exception) -> str | None:
        """The message to show for this failure, or None where it is a repeat to count only."""
        what = " ".join(str(exc).split()) or type(exc).__name__
        n = self.counts[what] = self.counts.get(what, 0) + 1
        if n == 1:
            return f"Inference failed on this input: {what}"
        if n >= 10 and math.log10(n).is_integer():
            return f"Inference failed {n:,} times: {what}"
        return None


class InferenceThread:
    """Starts the worker in its own QThread and stops it cleanly (quit, then wait)."""

    def __init__(self) -> None:
        one_heap()  # the models this thread loads come from the heap that is given back whole
        self.cores = SharedCore()
        self.cores.join()  # this, the GUI thread: on one core with the inference thread for a digit-size model
        self.cores.share(True)  # from the start: threads Qt and Python start for the window share its core too
        self.thread = QThread()
        self.thread.setObjectName("inference")
        self.worker = InferenceWorker(self.cores)
        self.worker.moveToThread(self.thread)

    def start(self) -> None:
        """Start the inference thread's event loop."""
        self.thread.start()

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Stop the worker after the frame (or torch call) in progress and wait for the thread at most
        ``timeout_ms``; True when it ended."""
        self.cores.share(False)  # the process as it was: its threads over every core
        if not self.thread.isRunning():
            return True
        # Queued: runs in the inference thread after the frame in progress, and ends its loop.
        from PySide6.QtCore import QMetaObject

        self.worker.cancel()  # a large model still loading stops now, not when it is done
        QMetaObject.invokeMethod(self.worker, "shutdown", Qt.ConnectionType.QueuedConnection)
        return self.thread.wait(timeout_ms)
