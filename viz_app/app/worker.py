"""The inference worker: a QObject in its own QThread that owns the model and its hooks.

The window hands it frames with ``submit()`` from the GUI thread; a one-slot mailbox keeps
only the newest frame ("latest wins"), so a burst of input never queues up behind a slow
forward pass. Results leave as immutable numpy-only FrameResult objects through a queued
signal; no tensor ever reaches the GUI thread.
"""

from __future__ import annotations

import gc
import os
import threading
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import torch
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from viz_app.models import load_model
from viz_app.models.device import DeviceError, resolve_device
from viz_app.models.registry import ModelSpec
from viz_app.models.summary import cached_summary, layer_choices
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame, NormMode


class InferenceWorker(QObject):
    """Runs frames through the current model; lives in the inference thread."""

    result_ready = Signal(object)  # FrameResult
    model_loaded = Signal(object)  # ModelInfo
    failed = Signal(str)  # a message for the user; the worker carries on
    download_progress = Signal(str, int, int)  # model name, bytes done, bytes in all (0: unknown)
    summary_ready = Signal(object, object, object)  # ModelSummary, [(path, title)] choices, default paths
    _wake = Signal()

    def __init__(self, device: str = "auto", sync_timing: bool = False) -> None:
        super().__init__()
        self._device_spec = device
        self._sync_timing = sync_timing
        self._lock = threading.Lock()
        self._pending: Frame | None = None
        self._scheduled = False
        self._stopping = False
        self._last_frame: Frame | None = None
        self._pipeline: Pipeline | None = None
        self._norm = NormMode.PER_LAYER
        self._extras: dict[str, dict] = {}  # enabled extras: key -> params
        self.processed = 0
        # Cost tables run a whole forward under the FLOP counter: seconds for big models, so
        # on a side thread with a copy of the model, never in the frame loop.
        self._costs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="costs")
        self._wake.connect(self._on_wake, Qt.ConnectionType.QueuedConnection)

    # --- any thread -------------------------------------------------------------------
    def submit(self, frame: Frame) -> None:
        """Offer a frame; it replaces any frame still waiting."""
        self._offer(frame, replace=True)

    def _offer(self, frame: Frame, replace: bool) -> None:
        with self._lock:
            if self._stopping or (self._pending is not None and not replace):
                return
            self._pending = frame
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._wake.emit()

    def _rerun(self) -> None:
        """Show the last input again under a new model or setting, unless newer input waits.

        Resubmitting the last frame must not replace a newer one still in the mailbox: the
        window would then end on the old input while the user's last stroke is never seen.
        """
        if self._last_frame is not None:
            self._offer(self._last_frame, replace=False)

    @property
    def pipeline(self) -> Pipeline | None:
        return self._pipeline

    # --- inference thread ---------------------------------------------------------------
    @Slot()
    def _on_wake(self) -> None:
        with self._lock:
            frame, self._pending = self._pending, None
            if frame is None or self._stopping:
                self._scheduled = False
                return
        self._run(frame)
        with self._lock:
            if self._pending is None or self._stopping:
                self._scheduled = False
                return
        # More input arrived meanwhile: go round the event loop first, so that a model or
        # setting change queued in between is taken before the next frame.
        self._wake.emit()

    def _run(self, frame: Frame) -> None:
        self._last_frame = frame
        if self._pipeline is None:
            return
        try:
            result = self._pipeline.process(frame)
        except Exception as exc:  # a frame must never take the thread down
            traceback.print_exc()
            self.failed.emit(f"Inference failed on this input: {exc}")
            return
        self.processed += 1
        self.result_ready.emit(result)

    @Slot(str, object)
    def load(self, name: str, weights: object = None) -> None:
        """Switch to model ``name`` (optionally with a weights file); the old one is freed."""
        try:
            device = resolve_device(self._device_spec)
        except DeviceError as exc:
            self.failed.emit(f"{exc}; running on the CPU instead")
            self._device_spec = "cpu"
            device = torch.device("cpu")
        if device.type == "cpu":
            # Leave a core to the GUI thread: a shared core makes both stutter.
            torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
        try:
            loaded = load_model(
                name,
                device,
                Path(str(weights)) if weights else None,
                progress=lambda done, total: self.download_progress.emit(name, done, total),
            )
            pipeline = Pipeline(loaded, norm=self._norm, sync_timing=self._sync_timing)
        except Exception as exc:
            traceback.print_exc()
            self.failed.emit(f"Could not open model {name}: {exc}")
            return
        self._release()
        self._pipeline = pipeline
        for key, params in self._extras.items():
            self._install_extra(key, params)
        info = loaded.info()
        self.model_loaded.emit(info)
        for warning in info.warnings:
            self.failed.emit(warning)
        self._costs.submit(cached_summary, loaded.spec.name).add_done_callback(
            lambda future, spec=loaded.spec: self._on_costs_done(future, spec)
        )
        self._rerun()

    def _on_costs_done(self, future: Future, spec: ModelSpec) -> None:
        if future.cancelled():
            return
        try:
            summary = future.result()
        except Exception as exc:
            self.failed.emit(f"No cost table for {spec.name}: {exc}")
            return
        self.summary_ready.emit(summary, layer_choices(summary, spec.layers), [n for n, _ in spec.layers])

    @Slot(list)
    def set_layers(self, names: list) -> None:
        """Show these layers (module paths) from now on; extras carry over."""
        if self._pipeline is None:
            return
        try:
            pipeline = Pipeline(self._pipeline.loaded, layers=names, norm=self._norm, sync_timing=self._sync_timing)
        except Exception as exc:
            self.failed.emit(f"Cannot show those layers: {exc}")
            return
        self._pipeline.close()
        self._pipeline = pipeline
        for key, params in self._extras.items():
            self._install_extra(key, params)
        self._rerun()

    @Slot(object)
    def set_norm(self, mode: NormMode) -> None:
        self._norm = NormMode(mode)
        if self._pipeline is not None:
            self._pipeline.norm = self._norm
        self._rerun()

    @Slot(str, object)
    def set_extra(self, key: str, params: object) -> None:
        """Turn the per-frame extra ``key`` on with ``params`` (a dict), or off with None."""
        if params is None:
            self._extras.pop(key, None)
            if self._pipeline is not None:
                self._pipeline.remove_extra(key)
        else:
            self._extras[key] = dict(params)
            self._install_extra(key, self._extras[key])
        self._rerun()

    def _install_extra(self, key: str, params: dict) -> None:
        if self._pipeline is None:
            return
        try:
            self._pipeline.add_extra(make_extra(key, self._pipeline.loaded, params))
        except Exception as exc:
            traceback.print_exc()
            self._pipeline.remove_extra(key)
            self.failed.emit(f"{key} is not available for this model: {exc}")

    @Slot()
    def shutdown(self) -> None:
        with self._lock:
            self._stopping = True
            self._pending = None
        self._costs.shutdown(wait=False, cancel_futures=True)
        self._release()

    def _release(self) -> None:
        if self._pipeline is None:
            return
        device = self._pipeline.device
        self._pipeline.close()
        self._pipeline = None
        gc.collect()
        if device.type == "cuda":
            torch.cuda.empty_cache()


class InferenceThread:
    """Starts the worker in its own QThread and stops it cleanly (quit, then wait)."""

    def __init__(self, device: str = "auto", sync_timing: bool = False) -> None:
        self.thread = QThread()
        self.thread.setObjectName("inference")
        self.worker = InferenceWorker(device, sync_timing)
        self.worker.moveToThread(self.thread)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout_ms: int = 10_000) -> bool:
        if not self.thread.isRunning():
            return True
        # Blocking-queued: runs in the inference thread after the frame in progress.
        from PySide6.QtCore import QMetaObject

        QMetaObject.invokeMethod(self.worker, "shutdown", Qt.ConnectionType.BlockingQueuedConnection)
        self.thread.quit()
        return self.thread.wait(timeout_ms)

