"""A string of digits read in one pass, layer by layer along the strip: the "sdnn" extra.

After the 1998 paper's figures of the space-displacement network: the input strip, C1, C3 and
C5 with each column over the part of the string it looks at, the answer at each position and
the string read. The layers come from the frame's own forward (the probe's captures where it
shows them, this extra's own hooks otherwise); nothing runs a second forward per frame.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from viz_app.models.decode import best_path
from viz_app.models.inputs import input_pixels
from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.base import ExtraContext
from viz_app.probe.extras.se import ForwardCapture, hook_free_twin
from viz_app.records.panels import NoParams
from viz_app.records.strings import Along, StringRecord, StripLayer, no_string

LAYERS = ("C1", "C3", "C5")  # shown along the string, by their display names in the model's spec
MAX_ROWS = 128  # a layer's channels stacked are pooled to at most this many rows (C5's units excepted)
PROBE_WIDTHS = (32, 64)  # two strip widths whose layer widths give each layer's stride and offset


def string_layers(loaded: LoadedModel) -> list[tuple[str, str]]:
    """(module path, display name) of C1, C3 and C5 in the model, those it has."""
    by_title = {title.upper(): name for name, title in loaded.spec.layers}
    return [(by_title[title], title) for title in LAYERS if title in by_title]


def _outputs(model: nn.Module, modules: list[nn.Module], x: torch.Tensor) -> list[torch.Tensor]:
    """Each module's output, and the model's, for input ``x``."""
    found: list[torch.Tensor] = []
    handles = [m.register_forward_hook(lambda _m, _i, out: found.append(out)) for m in modules]
    try:
        out = model(x)
    finally:
        for handle in handles:
            handle.remove()
    return [*found, out]


def along_the_strip(loaded: LoadedModel, names: list[str]) -> tuple[list[Along], Along, list[bool]] | None:
    """Where each layer's columns, and the output's positions, sit on the strip, and which
    layers go negative; None for a model whose output has no position axis (it reads one
    digit, not a string).

    A valid convolution's column j sees input x in [j * step, j * step + field): the step is
    the width gained per input pixel between two strip widths, the field what is left over.
    """
    twin = hook_free_twin(loaded)
    modules = [twin.get_submodule(name) for name in names]
    with torch.inference_mode():
        probe = twin(torch.zeros(1, loaded.spec.input.channels, *loaded.spec.input.size, device=loaded.device))
        if not isinstance(probe, torch.Tensor) or probe.dim() != 3:
            return None
        narrow, wide = (_outputs(twin, modules, torch.randn(2, 1, 32, w, device=loaded.device)) for w in PROBE_WIDTHS)
    geometry = []
    for a, b in zip(narrow, wide):
        w0, w1 = int(a.shape[-1]), int(b.shape[-1])
        step = (PROBE_WIDTHS[1] - PROBE_WIDTHS[0]) / max(1, w1 - w0)
        field = PROBE_WIDTHS[0] - (w0 - 1) * step
        geometry.append(Along((field - step) / 2, step))
    return geometry[:-1], geometry[-1], [bool((out < 0).any()) for out in narrow[:-1]]


class StringExtra:
    """Sends the strip, C1, C3 and C5 along it and the answer at each position."""

    key = "sdnn"
    grad_at: str | None = None  # no gradient: the frame stays in inference mode

    def __init__(self, loaded: LoadedModel, params: NoParams) -> None:
        self.loaded = loaded
        self.layers = string_layers(loaded)
        self._capture: ForwardCapture | None = None
        self.reads = False  # the model reads strings (its output has a position axis)
        geometry = along_the_strip(loaded, [name for name, _ in self.layers]) if loaded.spec.input.channels == 1 else None
        if geometry is None:
            self._message = (f"{loaded.spec.title} reads one digit at a time: choose SDNN in the model picker "
                             "to read a string of digits along its layers")  # fmt: skip
            return
        self._message = ""
        self.reads = True
        self.along, self.positions, self.signed = geometry
        modules = [loaded.model.get_submodule(name) for name, _ in self.layers]
        self._capture = ForwardCapture(loaded.model, modules, lambda out: out)
        self.blank = len(loaded.spec.classes) - 1
        self._shapes: list[tuple[int, ...]] = []

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        """Device tensors: the strip, each layer's stacked channels, each position's softmax."""
        if not self.reads:
            return []
        own: list[torch.Tensor | None] = [None] * len(self.layers)
        if self._capture is not None:
            own = self._capture.for_input(ctx.x) or own
            self._capture.clear()
            if all(name in ctx.outputs for name, _ in self.layers):
                self._capture.remove()  # the probe captures them all (this pipeline's layers never change)
                self._capture = None
        parts = [input_pixels(ctx.x, self.loaded.spec)]  # 32 x W
        self._shapes = []
        for (name, _), mine, signed in zip(self.layers, own, self.signed):
            act = ctx.outputs.get(name, mine)
            if act is None:
                raise RuntimeError(f"{name} did not run in this frame's forward pass")
            parts.append(_stacked(act[0].float(), signed))  # rows x W'
            self._shapes.append(tuple(act.shape[1:]))
        parts.append(torch.softmax(ctx.logits.detach()[0].float(), dim=0))  # classes x T
        return parts

    def unpack(self, arrays: list[np.ndarray]) -> StringRecord:
        """The frame's StringRecord."""
        if not self.reads:
            return no_string(self._message)
        strip, probs = arrays[0], arrays[-1]
        layers = tuple(
            StripLayer(name, f"{title} {shape[0]}@{'x'.join(map(str, shape[1:]))}", image, shape[0], along, signed)
            for (name, title), image, shape, along, signed in zip(self.layers, arrays[1:-1], self._shapes, self.along, self.signed)
        )
        empty = not strip.any()
        text = "" if empty else best_path(probs.argmax(axis=0), probs.max(axis=0)).text
        message = _message(empty, text)
        return StringRecord(strip, layers, probs, self.positions, self.loaded.spec.classes, self.blank, text, empty, message)

    def close(self) -> None:
        """Take off this extra's hooks."""
        if self._capture is not None:
            self._capture.remove()
            self._capture = None


def _stacked(act: torch.Tensor, signed: bool) -> torch.Tensor:
    """C x H x W' activations -> (C * h) x W' uint8, each channel's rows pooled to h so that all
    fit MAX_ROWS; normalised over the layer, 0 in the middle for a layer that goes negative."""
    c, h, w = act.shape
    rows = max(1, min(h, MAX_ROWS // c))
    if rows != h:
        act = F.adaptive_avg_pool2d(act.unsqueeze(0), (rows, w))[0]
    if signed:
        hi = act.abs().max().clamp_min(1e-8)
        scaled = (act / hi + 1) * 127.5
    else:
        lo, hi = act.min(), act.max()
        scaled = (act - lo) / (hi - lo).clamp_min(1e-8) * 255
    return scaled.reshape(c * rows, w).round().clamp(0, 255).to(torch.uint8)


def _message(empty: bool, text: str) -> str:
    """What to tell the user about this reading."""
    if empty:
        return "Write a string of digits on the pad"
    if len(text) == 1:
        return "One digit read: write a few more to see a string read in one pass"
    if not text:
        return "No digit found: write larger, or clearer"
    return ""
