"""The inference worker: a QObject in its own QThread that owns the model and its hooks.

Sources hand it raw frames with ``submit()`` from any thread; a one-slot mailbox keeps
only the newest frame ("latest wins"), so a burst of input never queues up behind a slow
forward pass, and the frame is prepared for the model on this thread when it runs. Results leave as immutable numpy-only FrameResult objects through a queued
signal; no tensor ever reaches the GUI thread.
"""

from __future__ import annotations

import threading
import traceback
from pathlib import Path
from typing import cast

import torch
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from viz_app.app.last_frame import LastFrame
from viz_app.app.threads import LatestMailbox, OffThread, WhenIdle
from viz_app.errors import UserError
from viz_app.memory import one_heap
from viz_app.models import load_model
from viz_app.models.cancel import Cancelled, cancellable
from viz_app.models.device import DeviceError, cpu_threads, resolve_device, waits_for_drawing
from viz_app.models.inputs import InputError
from viz_app.models.registry import ModelSpec
from viz_app.models.summary import cached_summary, layer_choices
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.records.costs import ModelSummary
from viz_app.records.frames import Frame, ModelInfo, NormMode
from viz_app.state.options import DEFAULT_RUN, RunOptions

DEFAULT_MODEL = "lenet5"  # opened when the model asked for at start cannot be
COSTS_AFTER_REST_S = 2.0  # a model's cost table waits for this pause in the input (its first count imports a lot)
DRAWING_WAIT_MS = 100  # the longest a model that waits for the drawing of its last frame waits (models.device)


class InferenceWorker(QObject):
    """Runs raw frames through the current model; lives in the inference thread. Every frame is
    prepared here for the model current when it runs: a switch never sees a frame cut for the old one."""

    result_ready = Signal(object)  # FrameResult; answer with drawn() once shown (models.device.waits_for_drawing)
    model_loaded = Signal(object)  # ModelInfo
    failed = Signal(str)  # a message for the user; the worker carries on
    load_failed = Signal(str, str)  # the model that did not open, the model that runs now ("" while none)
    input_rejected = Signal(str)  # a frame that cannot become an input (its ROI, its shape): the user's message
    download_progress = Signal(str, int, int)  # model name, bytes done, bytes in all (0: unknown)
    summary_ready = Signal(object, object, object)  # ModelSummary, [(path, title)] choices, default paths
    released = Signal(str)  # a model was freed on this device type: collect garbage on the GUI thread

    def __init__(self, run: RunOptions = DEFAULT_RUN) -> None:
        super().__init__()
        self._run = run
        self._pipeline: Pipeline | None = None
        self._norm = NormMode.PER_LAYER
        self._extras: dict[str, dict] = {}  # enabled extras: key -> params
        self._closing = threading.Event()  # set from any thread: stop loads and cost tables
        self.processed = 0
        # Children move into the inference thread with the worker: the mailbox then delivers
        # there, and the cost tables report there.
        self._frames = LatestMailbox(self)
        self._frames.arrived.connect(self._on_frame_arrived)
        self.last = LastFrame(self._frames, self)  # set ``last.follows_window`` when a window answers switches
        # Cost tables run a whole forward under the FLOP counter: seconds for big models, so
        # on a side thread with a copy of the model, never in the frame loop.
        self._costs = OffThread("costs", self)
        self._costs.finished.connect(self._on_costs_ready)
        self._costs.failed.connect(self._on_costs_failed)
        self._costs_when_idle = WhenIdle(COSTS_AFTER_REST_S, self)  # moves to the inference thread with the worker

    # --- any thread -------------------------------------------------------------------
    def submit(self, frame: Frame) -> None:
        """Offer a raw frame; it replaces any frame still waiting."""
        self._frames.put(frame)

    def drawn(self) -> None:
        """The GUI thread has drawn the last result: the next frame may start (any thread)."""
        self._frames.resume()

    def cancel(self) -> None:
        """Stop a model load or cost table in progress at its next tensor operation; for closing."""
        self._closing.set()

    @property
    def pipeline(self) -> Pipeline | None:
        """The current model's pipeline (None before the first load); for tests and benches."""
        return self._pipeline

    # --- inference thread ---------------------------------------------------------------
    @Slot(object)
    def _on_frame_arrived(self, frame: Frame) -> None:
        self.last.seen(frame)
        self._costs_when_idle.touch()
        if self._pipeline is None:
            return
        try:
            result = self._pipeline.process(frame)
        except InputError as exc:
            self.input_rejected.emit(str(exc))
            return
        except Exception as exc:  # a frame must never take the thread down
            traceback.print_exc()
            self.failed.emit(f"Inference failed on this input: {exc}")
            return
        self.processed += 1
        if waits_for_drawing(self._pipeline.device, torch.get_num_threads()):
            self._frames.hold(DRAWING_WAIT_MS)  # before the result leaves: its drawing may end first
        self.result_ready.emit(result)

    @Slot(str, object)
    def load(self, name: str, weights: object = None) -> None:
        """Switch to model ``name`` (optionally with a weights file); the old one is freed.

        A model that cannot be opened (an unknown name, a bad weights file) leaves the
        current model running, or opens the default one when there is none yet; ``failed``
        says which. Closing stops a load at its next tensor operation.
        """
        device = self._device()
        try:
            # A weights file the user chose must load as it is: a bad one is refused, not
            # replaced by untrained weights.
            path = Path(str(weights)) if weights else None
            loaded = cancellable(self._closing, load_model, name, device, path, strict=path is not None,
                                 progress=lambda done, total: self._on_download_progress(name, done, total))
            pipeline = cancellable(self._closing, Pipeline, loaded, norm=self._norm, run=self._run)
        except Cancelled:
            return  # closing: nobody is waiting for this model any more
        except Exception as exc:
            if not isinstance(exc, UserError):
                traceback.print_exc()  # a bug, not the user's mistake: keep its trace
            self._on_load_failed(name, weights, exc)
            return
        self._release()
        self._pipeline = pipeline
        if pipeline.device.type == "cpu":
            torch.set_num_threads(cpu_threads(loaded.spec.input_size))  # photo-size models: every core
        for key, params in self._extras.items():
            self._install_extra(key, params)
        info = pipeline.info()
        self.model_loaded.emit(info)
        for warning in info.warnings:
            self.failed.emit(warning)
        self._costs_when_idle.start(lambda: self._costs.run(cancellable, self._closing, cached_summary, loaded.spec.name, context=loaded.spec))
        self.last.switched(info)

    @Slot(object)
    def window_caught_up(self, info: ModelInfo) -> None:
        """The window shows ``info`` and has sent its requests for it: the last frame runs, once."""
        self.last.caught_up(info)

    def _on_download_progress(self, name: str, done: int, total: int) -> None:
        """Pass a download's progress on; closing stops the download at its next chunk."""
        if self._closing.is_set():
            raise Cancelled("stopped on request")
        self.download_progress.emit(name, done, total)

    def _on_load_failed(self, name: str, weights: object, exc: Exception) -> None:
        """Say why ``name`` did not open and what is shown instead."""
        reason = f"Could not open {name}: {exc}"
        current = self._pipeline.loaded.spec if self._pipeline is not None else None
        self.load_failed.emit(name, current.name if current else "")  # a picker showing ``name`` can go back
        if current is not None:
            self.failed.emit(f"{reason}; still showing {current.title}")
        elif weights:
            self.failed.emit(f"{reason}; opening it with its own weights instead")
            self.load(name, None)
        elif name != DEFAULT_MODEL:
            self.failed.emit(f"{reason}; opening {DEFAULT_MODEL} instead")
            self.load(DEFAULT_MODEL, None)
        else:
            self.failed.emit(reason)

    def _device(self) -> torch.device:
        """The device asked for, or the CPU (and a message) when this machine has not got it."""
        try:
            device = resolve_device(self._run.device)
        except DeviceError as exc:
            self.failed.emit(f"{exc}; running on the CPU instead")
            self._run = self._run.with_device("cpu")
            device = torch.device("cpu")
        return device  # its CPU threads are set per model once loaded (models.device.cpu_threads)

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

    @Slot(list)
    def set_layers(self, names: list) -> None:
        """Show these layers (module paths) from now on; extras carry over."""
        if self._pipeline is None:
            return
        try:
            pipeline = Pipeline(self._pipeline.loaded, layers=names, norm=self._norm, run=self._run)
        except Exception as exc:
            self.failed.emit(f"Cannot show those layers: {exc}")
            return
        self._pipeline.close()
        self._pipeline = pipeline
        for key, params in self._extras.items():
            self._install_extra(key, params)
        self.last.rerun()

    @Slot(object)
    def set_norm(self, mode: NormMode) -> None:
        """Map activations to colours with ``mode`` from now on."""
        self._norm = NormMode(mode)
        if self._pipeline is not None:
            self._pipeline.norm = self._norm
        self.last.rerun()

    @Slot(str, object)
    def set_extra(self, key: str, params: object) -> None:
        """Turn the per-frame extra ``key`` on with ``params`` (a dict), or off with None."""
        if params is None and key not in self._extras:
            return  # already off: nothing to re-run
        if params is not None and self._extras.get(key) == params and self._installed(key):
            return  # asked again as it is (the window repeats its panel's request after a switch)
        if params is None:
            self._extras.pop(key, None)
            if self._pipeline is not None:
                self._pipeline.remove_extra(key)
        else:
            self._extras[key] = dict(cast(dict, params))
            self._install_extra(key, self._extras[key])
        self.last.rerun()

    def _installed(self, key: str) -> bool:
        return self._pipeline is not None and any(extra.key == key for extra in self._pipeline.extras)

    def _install_extra(self, key: str, params: dict) -> None:
        if self._pipeline is None:
            return
        try:
            self._pipeline.add_extra(make_extra(key, self._pipeline.loaded, params))
        except Exception as exc:
            if not isinstance(exc, UserError):
                traceback.print_exc()  # a bug, not a panel that does not apply to this model
            self._pipeline.remove_extra(key)
            self.failed.emit(f"{key} is not available for this model: {exc}")

    @Slot()
    def shutdown(self) -> None:
        """Drop waiting and later frames, cancel cost tables, free the model, end the thread's loop."""
        self._frames.close()
        self.last.cancel()
        self._costs_when_idle.cancel()
        self._costs.close()
        self._release()
        self.thread().quit()

    def _release(self) -> None:
        """Take the hooks off and drop the model. Collecting the garbage is the GUI thread's
        job (``released``): a collection here could finalise Qt objects of the GUI thread."""
        if self._pipeline is None:
            return
        device = self._pipeline.device
        self._pipeline.close()
        self._pipeline = None
        self.released.emit(device.type)


class InferenceThread:
    """Starts the worker in its own QThread and stops it cleanly (quit, then wait)."""

    def __init__(self, run: RunOptions = DEFAULT_RUN) -> None:
        one_heap()  # the models this thread loads come from the heap that is given back whole
        self.thread = QThread()
        self.thread.setObjectName("inference")
        self.worker = InferenceWorker(run)
        self.worker.moveToThread(self.thread)

    def start(self) -> None:
        """Start the inference thread's event loop."""
        self.thread.start()

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Stop the worker after the frame (or torch call) in progress and wait for the thread at most
        ``timeout_ms``; True when it ended."""
        if not self.thread.isRunning():
            return True
        # Queued: runs in the inference thread after the frame in progress, and ends its loop.
        from PySide6.QtCore import QMetaObject

        self.worker.cancel()  # a large model still loading stops now, not when it is done
        QMetaObject.invokeMethod(self.worker, "shutdown", Qt.ConnectionType.QueuedConnection)
        return self.thread.wait(timeout_ms)

