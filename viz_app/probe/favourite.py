"""A unit's favourite input: the image that excites it most, by regularised gradient ascent.

Feature visualisation as in Olah, Mordvintsev and Schubert (2017, Lucid): the pixels (kept in
[0, 1] through a sigmoid) climb the gradient of the unit's activation, with random jitter
(each step sees the image shifted by a few pixels), a total-variation penalty against
high-frequency noise and a decay on the ink. A channel is maximised at its centre unit, a
dense unit as it is; for an output unit this is the digit the class "dreams of".

Runs on a model the caller owns (the app gives it a copy, never the live model): the only
gradient taken is the one of the image, the model's weights get none, and the one hook the
forward uses is taken off at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from viz_app.models.counting import COUNTING
from viz_app.models.inputs import normalise
from viz_app.models.registry import ModelSpec
from viz_app.probe.extras.unit import layer_output, producer

STEPS = 160
JITTER = 2  # pixels each way
TV_WEIGHT = 10.0  # total variation: neighbouring pixels alike
DECAY = 5.0  # less ink unless it pays
STARTS = (-2.0, 0.0)  # dim noise first; where no gradient reaches the unit from there, mid-grey noise
LR = 0.1


@dataclass(frozen=True)
class Ascent:
    """The image reached, with the unit's activation on it and on the starting noise."""

    image: np.ndarray  # H x W (or H x W x 3) uint8 network-input pixels
    value: float
    start: float
    steps: int
    seconds: float


def unit_value(out: torch.Tensor, index: int) -> torch.Tensor:
    """The unit's activation per image: a dense unit, or the centre unit of channel ``index``."""
    if out.dim() == 4:
        return out[:, index, out.shape[2] // 2, out.shape[3] // 2]
    return out.reshape(out.shape[0], out.shape[1], -1)[:, index].mean(1)


def _total_variation(pixels: torch.Tensor) -> torch.Tensor:
    return (pixels[..., 1:, :] - pixels[..., :-1, :]).pow(2).mean() + (pixels[..., 1:] - pixels[..., :-1]).pow(2).mean()


def favourite_input(model: nn.Module, spec: ModelSpec, layer: str, index: int, steps: int = STEPS, seed: int = 0,
                    on_step: Callable[[int], bool] | None = None) -> Ascent:  # fmt: skip
    """Gradient ascent on the input for unit ``index`` of ``layer`` (a module path of ``model``).

    ``on_step(step)`` is called after every step; returning False stops early (the caller
    can also pause there to leave the CPU to the live frames).
    """
    modules = dict(model.named_modules())
    if layer not in modules:
        raise KeyError(f"no layer {layer!r} in {spec.name}")
    module = modules[layer]
    started = time.perf_counter()
    generator = torch.Generator().manual_seed(seed)
    objective = _Climb(model, module, index, spec)
    logits = _start(objective, spec, generator)
    final, start, done = _ascend(objective, spec, logits, steps, generator, on_step)
    value = _value(model, module, spec, final, index)
    image = final[0].mul(255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()  # H x W x C
    return Ascent(image[:, :, 0] if spec.input.channels == 1 else image, value, start, done, time.perf_counter() - started)


def _start(objective: _Climb, spec: ModelSpec, generator: torch.Generator) -> torch.Tensor:
    """Starting noise (a sigmoid's input): dim, or brighter where no gradient reaches the unit from the dim one."""
    device = next(objective.model.parameters()).device
    for brightness in STARTS:
        logits = (torch.randn(1, spec.input.channels, *spec.input.size, generator=generator) * 0.5 + brightness).to(device)
        with COUNTING.running(), torch.inference_mode(False), torch.enable_grad():
            trial = logits.clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(objective(normalise(torch.sigmoid(trial), spec)).sum(), trial)
        if grad.abs().sum() > 0:
            break
    return logits


def _ascend(objective: _Climb, spec: ModelSpec, logits: torch.Tensor, steps: int, generator: torch.Generator,
            on_step: Callable[[int], bool] | None) -> tuple[torch.Tensor, float, int]:  # fmt: skip
    """Up to ``steps`` steps from ``logits`` (the pixels' sigmoid inputs): the pixels reached, the start's value, the steps taken."""
    done = 0
    with torch.inference_mode(False), torch.enable_grad():
        logits.requires_grad_(True)
        optimiser = torch.optim.Adam([logits], lr=LR)
        start = _value(objective.model, objective.module, spec, torch.sigmoid(logits).detach(), objective.index)
        for step in range(steps):
            pixels = torch.sigmoid(logits)
            dy, dx = (int(v) for v in torch.randint(-JITTER, JITTER + 1, (2,), generator=generator))
            shifted = torch.roll(pixels, (dy, dx), (2, 3)) if step < steps * 3 // 4 else pixels  # no jitter at the end
            with COUNTING.running():  # one step at a time, never while a cost table counts (its hooks are global)
                loss = -objective(normalise(shifted, spec)).sum() + TV_WEIGHT * _total_variation(pixels) * 10 + DECAY * pixels.mean()
                (grad,) = torch.autograd.grad(loss, logits)
            logits.grad = grad
            optimiser.step()
            logits.grad = None
            done += 1
            if on_step is not None and not on_step(done):
                break
    return torch.sigmoid(logits).detach(), start, done


class _Climb:
    """What the ascent climbs: the unit, plus a tenth of its pre-activation where the layer holds
    the convolution or linear map that makes its channels (a unit that starts at zero behind a
    ReLU has no gradient of its own). Hooks live only for the length of one forward."""

    def __init__(self, model: nn.Module, module: nn.Module, index: int, spec: ModelSpec) -> None:
        self.model, self.module, self.index = model, module, index
        with torch.inference_mode():
            x = torch.zeros(1, spec.input.channels, *spec.input.size, device=next(model.parameters()).device)
            probe = layer_output(model, module, x)
        found = producer(module, probe.shape[1])
        self.inner = found[1] if found is not None and found[1] is not module else None

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.inner is None:
            return unit_value(layer_output(self.model, self.module, x), self.index)
        captured: list[torch.Tensor] = []
        handle = self.inner.register_forward_hook(lambda m, inputs, output: captured.append(output))
        try:
            out = layer_output(self.model, self.module, x)
        finally:
            handle.remove()
        return unit_value(out, self.index) + 0.1 * unit_value(captured[-1], self.index)


def _value(model: nn.Module, module: nn.Module, spec: ModelSpec, pixels: torch.Tensor, index: int) -> float:
    with COUNTING.running(), torch.inference_mode():
        return float(unit_value(layer_output(model, module, normalise(pixels, spec)), index)[0])
