"""Applying a worker request in the inference thread: only what differs from what is in force.

A new model (or weights, or device) is loaded and its pipeline built once, with the layers,
colouring and extras the request asks for: one calibration forward, one build of each extra.
Otherwise only what changed changes: new layers make a new pipeline on the same model, new
weights in the same file are loaded into the model shown (hooks kept), the colouring is set,
and each extra is updated in place when only a value of it changed (its hooks stay), rebuilt
when that is not enough, added or removed. What cannot be applied (a model that does not open,
parameters out of range) leaves what was in force, and the outcome says why; ``applied`` is then
what is really in force, for the view to take back.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from viz_app.cores import SharedCore
from viz_app.errors import UserError, debugging
from viz_app.models import load_model
from viz_app.models.cancel import Cancelled, cancellable
from viz_app.models.device import DeviceError, cpu_threads, resolve_device
from viz_app.models.loader import LoadedModel, reload_weights
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import ModelInfo
from viz_app.state.options import RunOptions
from viz_app.state.view import ModelChoice, ModelRequest, WorkerRequest

DEFAULT_MODEL = "lenet5"  # opened when the model asked for at start cannot be
Progress = Callable[[str, int, int], None]  # model name, bytes done, bytes in all (0: unknown)


@dataclass
class Outcome:
    """What applying one request did: the model loaded (its info) if any, the device type whose
    model was freed, messages for the user, and why something asked for was refused."""

    loaded: ModelInfo | None = None
    released: str | None = None
    messages: list[str] = field(default_factory=list)
    refused: str | None = None  # the request was not applied in full: why (``applied`` says what is in force)


class Applier:
    """Holds the pipeline and the request in force; lives in the inference thread."""

    def __init__(self, closing: threading.Event, progress: Progress, cores: SharedCore) -> None:
        self.pipeline: Pipeline | None = None
        self.applied: WorkerRequest | None = None
        self.calibrations = 0  # pipelines built (each runs one calibration forward): tests count them
        self.builds: dict[str, int] = {}  # extras built, per key: tests count them
        self._closing = closing
        self._progress = progress
        self._cores = cores

    def apply(self, request: WorkerRequest) -> Outcome:
        """Bring what is in force to ``request``; Cancelled when the app closes meanwhile."""
        out = Outcome()
        want = request.models[0]  # a compare view's second model gets its own pipeline with that view
        have = self.applied.models[0] if self.applied is not None else None
        run = self.applied.run if self.applied is not None else request.run
        if have is None or (want.model.name, want.model.weights) != (have.model.name, have.model.weights) or request.run != run:
            have, run = self._switch(want, request.run, have, run, out)
        else:
            have = self._adjust(want, have, out)
        self.applied = WorkerRequest(request.generation, run, (have,) if have is not None else ())
        if self.pipeline is not None:
            self.pipeline.generation = request.generation
        return out

    def close(self) -> str | None:
        """Take the hooks off and drop the model; the device type freed (None: none was shown)."""
        if self.pipeline is None:
            return None
        device = self.pipeline.device.type
        self.pipeline.close()
        self.pipeline = None
        return device

    # --- a new model --------------------------------------------------------------------------------
    def _switch(self, want: ModelRequest, run: RunOptions, have: ModelRequest | None, old_run: RunOptions,
                out: Outcome) -> tuple[ModelRequest | None, RunOptions]:  # fmt: skip
        """Load ``want``'s model with its layers, colouring and extras; on failure keep ``have``,
        or with nothing shown yet open its own weights, then the default model."""
        run, device = self._device(run, out)
        try:
            loaded = self._load(want.model, device)
            pipeline = self._pipeline(loaded, want.layers, want, run)
        except Cancelled:
            raise
        except Exception as exc:
            reason = _reason(exc)
            if have is not None:
                out.refused = f"Could not open {want.model.name}: {reason}; still showing {self.pipeline.spec.title if self.pipeline else have.model.name}"
                return have, old_run
            fallback = replace(want.model, weights=None) if want.model.weights else ModelChoice(DEFAULT_MODEL) if want.model.name != DEFAULT_MODEL else None
            if fallback is None:
                out.refused = f"Could not open {want.model.name}: {reason}"
                return None, run
            shown = "it with its own weights" if want.model.weights else DEFAULT_MODEL
            out.messages.append(f"Could not open {want.model.name}: {reason}; opening {shown} instead")
            result = self._switch(ModelRequest(fallback, None, want.norm, want.extras), run, None, run, out)
            out.refused = out.refused or f"Could not open {want.model.name}: {reason}"
            return result
        out.released = self.close()
        self.pipeline = pipeline
        threads = cpu_threads(loaded.spec.input.size) if pipeline.device.type == "cpu" else 0
        self._cores.join()  # this, the inference thread
        self._cores.share(threads == 1)  # a millisecond's forward: GUI and inference take turns on one core (viz_app.cores)
        if threads:
            torch.set_num_threads(threads)  # photo-size models: every core, their worker threads spread
        out.loaded = pipeline.refresh_info()
        out.messages.extend(out.loaded.warnings)
        extras = self._sync_extras(dict(want.extras), {}, out)
        return ModelRequest(want.model, want.layers, want.norm, extras), run

    def _load(self, choice: ModelChoice, device: torch.device) -> LoadedModel:
        # A weights file the user chose must load as it is: a bad one is refused, not replaced by untrained weights.
        path = Path(choice.weights) if choice.weights else None
        progress = lambda done, total: self._progress(choice.name, done, total)  # noqa: E731
        return cancellable(self._closing, load_model, choice.name, device, path, strict=path is not None, progress=progress)

    def _pipeline(self, loaded: LoadedModel, layers: tuple[str, ...] | None, want: ModelRequest, run: RunOptions) -> Pipeline:
        pipeline = cancellable(self._closing, Pipeline, loaded, layers=layers, norm=want.norm, run=run)
        self.calibrations += 1
        return pipeline

    def _device(self, run: RunOptions, out: Outcome) -> tuple[RunOptions, torch.device]:
        """The device asked for, or the CPU (and a message) when this machine has not got it."""
        try:
            return run, resolve_device(run.device)
        except DeviceError as exc:
            out.messages.append(f"{exc}; running on the CPU instead")
            return run.with_device("cpu"), torch.device("cpu")

    # --- the same model -----------------------------------------------------------------------------
    def _adjust(self, want: ModelRequest, have: ModelRequest, out: Outcome) -> ModelRequest:
        """What changed on the model shown: weights rewritten, layers, colouring, extras."""
        pipeline = self.pipeline
        assert pipeline is not None
        model = have.model
        if want.model.revision != have.model.revision:
            try:
                reload_weights(pipeline.loaded, Path(want.model.weights or pipeline.loaded.weights))
                model = want.model
                for extra in pipeline.extras:  # what an extra worked out from the weights once, it works out again
                    reloaded = getattr(extra, "weights_reloaded", None)
                    if callable(reloaded):
                        reloaded()
            except Exception as exc:
                out.refused = f"Could not reload the weights of {want.model.name}: {_reason(exc)}"
        layers, extras = have.layers, dict(have.extras)
        if want.layers != have.layers:
            try:
                assert self.applied is not None  # something is in force: this is the same model
                rebuilt = self._pipeline(pipeline.loaded, want.layers, want, self.applied.run)
            except Exception as exc:
                out.refused = f"Cannot show those layers: {_reason(exc)}"
            else:
                pipeline.close()
                self.pipeline = pipeline = rebuilt
                layers, extras = want.layers, {}
        pipeline.norm = want.norm
        running = self._sync_extras(dict(want.extras), extras, out)
        return ModelRequest(model, layers, want.norm, running)

    def _sync_extras(self, want: dict[str, Any], have: dict[str, Any], out: Outcome) -> tuple[tuple[str, Any], ...]:
        """Install, update, rebuild or remove extras until the pipeline runs ``want``'s; what runs."""
        pipeline = self.pipeline
        assert pipeline is not None
        running = dict(have)
        for key in [k for k in have if k not in want]:
            pipeline.remove_extra(key)
            running.pop(key)
        for key, params in want.items():
            installed = next((e for e in pipeline.extras if e.key == key), None)
            if installed is not None and running.get(key) == params:
                continue
            update = getattr(installed, "update", None)
            try:
                if installed is not None and callable(update) and update(params):
                    running[key] = params  # a value changed, the hooks stay
                    continue
                pipeline.add_extra(make_extra(key, pipeline.loaded, params))
            except Exception as exc:
                out.refused = f"{key} is not available for this model: {_reason(exc)}"
                continue  # what ran before (if anything) runs on, with what it had
            self.builds[key] = self.builds.get(key, 0) + 1
            running[key] = params
        return tuple(running.items())


def _reason(exc: BaseException) -> str:
    """``exc`` in one line; the traceback too where it is a bug, not the user's mistake."""
    if debugging() and not isinstance(exc, UserError | ValueError | KeyError | IndexError | OSError):
        traceback.print_exc()
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(text.split()) or type(exc).__name__
