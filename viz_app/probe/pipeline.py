"""One frame in, one FrameResult out: preprocess, forward with hooks, mosaics, one copy to the host.

The forward runs in inference mode, unless an extra needs a gradient (``FrameExtra.grad_at``):
then the same, single forward records autograd from that point on (see ``gradient_leaves``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import torch

from viz_app.errors import Interruption, UserError
from viz_app.models.counting import COUNTING
from viz_app.models.decode import best_path
from viz_app.models.device import fast_path
from viz_app.models.inputs import InputError, frame_to_tensor, input_pixels, network_pixels, strip_to_tensor
from viz_app.models.loader import LoadedModel, ModelInfo
from viz_app.probe.extras.base import ExtraContext, FrameExtra
from viz_app.probe.hooks import LayerProbe, gradient_leaves
from viz_app.probe.mosaic import as_maps, normalise, tile
from viz_app.probe.transfer import to_host
from viz_app.records.frames import Frame, FrameKind, FrameResult, Head, LayerImage, Layout, NormMode, Timings
from viz_app.state.options import DEFAULT_RUN, RunOptions

DEFAULT_FIXED = (0.0, 4.0)


def _title(display: str, shape: tuple[int, ...]) -> str:
    if len(shape) == 3:
        return f"{display} {shape[0]}@{shape[1]}x{shape[2]}"
    return f"{display} {shape[0]}" if len(shape) == 1 else f"{display} {'x'.join(map(str, shape))}"


def _along_the_string(columns: torch.Tensor) -> torch.Tensor:
    """classes x T position scores -> one score per class: a digit's best anywhere on the
    string, the blank's (the last class) worst, i.e. the chance that no position holds a digit."""
    probs = columns.amax(dim=1)
    probs[-1] = columns[-1].amin()
    return probs


class ModelOutputError(UserError, RuntimeError):
    """The model shown cannot give an answer: it does not run on an input of its own size, or
    its scores are NaN or infinite."""

class Pipeline:
    """Runs a loaded model on frames and packs everything the panels need.

    Frames come in raw: preparing one (a photo's ink or centre crop inside its ROI) is part of
    its work here, on the caller's thread and for this pipeline's model, so a source never
    needs to know which model is current and the "preprocess" timing covers all of it.

    A model whose output has a position axis (N x classes x T: a string head, the SDNN) reads
    every frame as one strip and its result carries the string read; a string frame given to
    a model that reads one digit is an InputError that says so.

    Owns the probe's hooks: call ``close()`` (or use it as a context manager) before the
    model is dropped, so that no hook outlives its model. Turns off ``requires_grad`` on the
    model's parameters: an extra's gradient starts where it asks for it, never at the weights.
    """

    def __init__(
        self,
        loaded: LoadedModel,
        layers: Sequence[str] | None = None,
        norm: NormMode = NormMode.PER_LAYER,
        max_tile: int = 64,
        run: RunOptions = DEFAULT_RUN,
    ) -> None:
        self.loaded = loaded
        self.spec = loaded.spec
        self.device = loaded.device
        titles = dict(self.spec.layers)
        names = list(layers) if layers is not None else [name for name, _ in self.spec.layers]
        self.titles = {name: titles.get(name, name) for name in names}
        self.norm = norm
        self.max_tile = max_tile
        self.sync_timing = run.sync_timing and self.device.type == "cuda"
        ranges = loaded.card.get("activation_ranges", {}) if loaded.trained else {}
        self.fixed = {name: tuple(ranges.get(name, DEFAULT_FIXED)) for name in names}
        loaded.model.requires_grad_(False)
        self.fast = fast_path(self.device, self.spec.input.size, run.precision)  # CUDA: channels_last (+ autocast if asked)
        self.fast.prepare(loaded.model)
        self.probe = LayerProbe(loaded.model, names).attach()
        self.extras: list[FrameExtra] = []
        self.reads_strings = self.spec.head is Head.STRING  # the output has a position axis: classes x T
        self.signed = self._calibrate()
        self.generation = 0  # the request in force (the worker sets it); every result carries it
        self._info = self._make_info()

    def info(self) -> ModelInfo:
        """The model's record for the window; its device names the autocast, when one was asked for."""
        return self._info

    def refresh_info(self) -> ModelInfo:
        """The record again, after the threads it runs with were set (the status bar names them)."""
        self._info = self._make_info()
        return self._info

    def _make_info(self) -> ModelInfo:
        info = self.loaded.info()
        if self.fast.autocast is None:
            return info
        return replace(info, device=f"{info.device}, {str(self.fast.autocast).removeprefix('torch.')} autocast")

    def close(self) -> None:
        for extra in self.extras:
            extra.close()
        self.extras = []
        self.probe.remove()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @torch.inference_mode()
    def _calibrate(self) -> dict[str, bool]:
        """Which layers can go negative (diverging colours), from a forward on random inputs: four
        at once, or one where the model takes a batch of one only. A model that runs on neither
        is refused here, in one line (ModelOutputError), before any frame reaches it."""
        h, w = self.spec.input.size
        error: Exception | None = None
        for batch in (4, 1):
            x = torch.randn(batch, self.spec.input.channels, h, w, device=self.device)
            self.probe.reset()
            try:
                self.loaded.model(x)
            except Interruption:  # the app is closing: not the model's fault
                raise
            except Exception as exc:  # the model's forward (a user's is guarded: a UserError, already one line)
                error = exc
                continue
            return {name: bool((out < 0).any()) for name, out in self.probe.outputs.items()}
        self.probe.remove()
        shape = "x".join(map(str, (1, self.spec.input.channels, h, w)))
        reason = str(error) if isinstance(error, UserError) else f"{type(error).__name__}: {' '.join(str(error).split())[:300]}"
        raise ModelOutputError(f"{self.spec.title} does not run on a random {shape} input: {reason}")

    def _sync(self) -> float:
        if self.sync_timing:
            torch.cuda.synchronize(self.device)
        return time.perf_counter()

    def add_extra(self, extra: FrameExtra) -> None:
        """Compute ``extra`` on every frame from now on (replacing one with the same key)."""
        self.remove_extra(extra.key)
        self.extras.append(extra)

    def remove_extra(self, key: str) -> None:
        for extra in [e for e in self.extras if e.key == key]:
            extra.close()
            self.extras.remove(extra)

    def _forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
        """The frame's one forward: (the input tensor it ran on, logits, the gradient leaves the extras asked for).

        Extras get that very input tensor as ``ctx.x`` (``ForwardCapture`` finds its forward by it).

        No extra with a ``grad_at``: plain inference mode, as ever. Otherwise autograd records
        from the leaves on (and only there: the parameters do not require grad); the graph
        lives in ``logits`` until an extra's ``autograd.grad`` (or the frame's end) frees it.
        """
        targets = sorted({e.grad_at for e in self.extras if e.grad_at is not None})
        if not targets:
            with self.fast.autocast_on(self.device):
                return x, self.loaded.model(x), {}
        with torch.inference_mode(False), torch.enable_grad(), self.fast.autocast_on(self.device):
            inp = x.clone()  # a normal tensor: autograd may record what uses it
            with gradient_leaves(self.loaded.model, [t for t in targets if t]) as leaves:
                if "" in targets:
                    leaves[""] = inp.requires_grad_(True)
                return inp, self.loaded.model(inp), leaves

    def _prepare(self, frame: Frame) -> tuple[torch.Tensor, bool]:
        """(1 x C x H x W input for this model, whether the frame is blank)."""
        if self.reads_strings:
            return strip_to_tensor(frame, self.spec, self.device)  # 1 x 1 x 32 x W
        if frame.layout is Layout.STRING:
            raise InputError(f"{self.spec.title} reads one digit at a time: choose SDNN in the model picker "
                             "to read a string, or switch the pad back to One digit")  # fmt: skip
        pixels = network_pixels(frame, self.spec.input.channels)
        return frame_to_tensor(pixels, self.spec, self.device, centre=frame.kind is not FrameKind.PREPARED)  # 1 x C x H x W

    @torch.inference_mode()
    def process(self, frame: Frame) -> FrameResult:
        """One raw frame through the model, prepared here for this model (InputError if it cannot be)."""
        with COUNTING.running():  # not while a cost table's FLOP counter has its hooks on every module
            return self._process(frame)

    def _process(self, frame: Frame) -> FrameResult:
        t0 = time.perf_counter()
        x, empty = self._prepare(frame)
        x = self.fast.input(x)
        t1 = self._sync()
        self.probe.reset()
        x, logits, leaves = self._forward(x)
        columns = torch.softmax(logits.detach().float(), dim=1)[0]  # classes, or classes x T along a string
        probs = _along_the_string(columns) if self.reads_strings else columns
        t2 = self._sync()

        tensors, meta = [], []
        for name in self.probe.names:
            maps = as_maps(self.probe.outputs[name])
            scaled, lo, hi = normalise(maps, self.norm, self.signed[name], self.fixed[name])
            mosaic, grid, tile_hw = tile(scaled, self.max_tile)
            tensors += [mosaic, torch.stack([lo, hi]).float()]
            meta.append((name, tuple(maps.shape), grid, tile_hw))
        tensors += [input_pixels(x, self.spec), probs]
        ctx = ExtraContext(self.loaded, x, logits, probs, self.probe.outputs, leaves)
        extra_parts = [extra.compute(ctx) for extra in self.extras]
        for parts in extra_parts:
            tensors += parts
        tensors += [columns] if self.reads_strings else []  # classes x T, last
        t3 = self._sync()

        host = to_host(tensors)  # the one device-to-host copy of the frame
        t4 = time.perf_counter()

        layers = self._layer_images(host, meta)
        rest = 2 * len(meta)
        network_input, probabilities = host[rest], host[rest + 1]
        if not np.isfinite(probabilities).all():  # NaN or infinite logits: no answer to show
            raise ModelOutputError(f"{self.spec.title} gives NaN or infinite scores for this input; its weights or its forward are broken")
        rest += 2
        # The string read: the best path through the positions' classes (repeats and blanks collapse).
        text = None if not self.reads_strings else "" if empty else best_path(host[-1].argmax(axis=0), host[-1].max(axis=0)).text
        extras = {}
        for extra, parts in zip(self.extras, extra_parts):
            extras[extra.key] = extra.unpack(host[rest : rest + len(parts)])
            rest += len(parts)

        timings = Timings(preprocess=(t1 - t0) * 1e3, forward=(t2 - t1) * 1e3, mosaic=(t3 - t2) * 1e3, transfer=(t4 - t3) * 1e3, t_start=t0)
        return FrameResult(
            seq=frame.seq, t_event=frame.t_event, t_done=time.perf_counter(), model=self.spec.name, network_input=network_input,
            probabilities=probabilities, classes=self.spec.classes, layers=tuple(layers), timings=timings, empty=empty,
            extras=extras, text=text, generation=self.generation, info=self._info,
        )  # fmt: skip

    def _layer_images(self, host: list, meta: list) -> list[LayerImage]:
        """The layers' mosaics and ranges, back on the host, as the window's records."""
        layers = []
        for i, (name, shape, grid, tile_hw) in enumerate(meta):
            image, (lo, hi) = host[2 * i], host[2 * i + 1].tolist()
            layers.append(LayerImage(name, _title(self.titles[name], shape), shape, image, grid, tile_hw, lo, hi, self.signed[name]))
        return layers
