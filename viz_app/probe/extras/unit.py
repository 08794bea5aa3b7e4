"""One selected channel up close: the "unit" extra.

The unit extra sends the selected channel's raw activation every frame; its incoming kernels
and its receptive field are properties of the weights and are worked out once when the unit
is selected. The receptive field is found by back-propagation: the gradient of one unit with
respect to a random input, through the network with its rectifiers and max pools made
linear, is non-zero exactly on the pixels that can reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from viz_app.errors import Interruption
from viz_app.models.inputs import input_pixels
from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.base import ExtraContext
from viz_app.probe.extras.se import ForwardCapture, hook_free_twin
from viz_app.probe.mosaic import normalise, tile
from viz_app.probe.unit_top import top_images
from viz_app.records.frames import NormMode
from viz_app.records.panels import UnitParams
from viz_app.records.units import UnitInsight

RF_SAMPLES = 2  # random inputs per probed unit (the probe runs on a linearised network, so one would do)
RECTIFIERS: tuple[type[nn.Module], ...] = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.Hardtanh, nn.ELU, nn.SELU, nn.GELU, nn.SiLU, nn.Hardswish)


class _Stop(Interruption):
    """Raised by a probing hook once the layer of interest has run."""


@dataclass(frozen=True)
class FieldModel:
    """Receptive field of unit (row, col) as an affine function of its position, per axis."""

    start: tuple[float, float]  # (y0, x0) of unit (0, 0), unclipped
    size: tuple[int, int]  # (height, width) in pixels
    jump: tuple[float, float]  # pixels between neighbouring units (y, x)
    image: tuple[int, int]  # (H, W) of the input

    def rect(self, row: int, col: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) on the input, clipped, end exclusive."""
        y0 = self.start[0] + row * self.jump[0]
        x0 = self.start[1] + col * self.jump[1]
        h, w = self.image
        return (max(0, round(x0)), max(0, round(y0)), min(w, round(x0) + self.size[1]), min(h, round(y0) + self.size[0]))


def layer_output(model: nn.Module, module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``module``'s output for input ``x``, stopping the forward right there."""
    captured: list[torch.Tensor] = []

    def hook(m: nn.Module, inputs: Any, output: Any) -> None:
        captured.append(output)
        raise _Stop

    handle = module.register_forward_hook(hook)
    try:
        model(x)
    except _Stop:
        pass
    finally:
        handle.remove()
    if not captured or not isinstance(captured[0], torch.Tensor):
        raise ValueError("the selected layer produced no tensor")
    return captured[0]


def _bbox(mask: torch.Tensor) -> tuple[int, int, int, int] | None:
    """(y0, x0, y1, x1) of the True pixels of an H x W mask, end exclusive."""
    rows, cols = mask.any(1).nonzero(), mask.any(0).nonzero()
    if len(rows) == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


Box = tuple[int, int, int, int]  # (y0, x0, y1, x1), end exclusive


class _linearised:
    """Rectifiers become the identity and max pools average pools, for the length of a probe.

    The gradient of a real network reaches only the pixels whose path is switched on (live
    ReLUs, the maximum of each pool), so its support depends on the input; the linearised
    network's gradient reaches every pixel of the receptive field.
    """

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self._handles: list[Any] = []
        self._inplace: list[nn.Module] = []

    def __enter__(self) -> None:
        for m in self.model.modules():
            if isinstance(m, RECTIFIERS):
                if getattr(m, "inplace", False):
                    m.inplace = False  # type: ignore[assignment]  # a rectifier's flag, not a submodule
                    self._inplace.append(m)
                self._handles.append(m.register_forward_hook(lambda mod, inputs, out: inputs[0]))
            elif isinstance(m, nn.MaxPool2d):
                self._handles.append(m.register_forward_hook(_as_average))
            elif isinstance(m, nn.AdaptiveMaxPool2d):
                self._handles.append(m.register_forward_hook(lambda mod, inputs, out: F.adaptive_avg_pool2d(inputs[0], mod.output_size)))

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        for m in self._inplace:
            m.inplace = True  # type: ignore[assignment]
        self._handles, self._inplace = [], []


def _as_average(pool: nn.MaxPool2d, inputs: tuple[torch.Tensor, ...], out: torch.Tensor) -> torch.Tensor:
    return F.avg_pool2d(inputs[0], pool.kernel_size, pool.stride, pool.padding, pool.ceil_mode, count_include_pad=True)


def _probe(
    model: nn.Module, module: nn.Module, channel: int, shape: tuple[int, int, int], device: torch.device, k: int
) -> tuple[Box | None, Box | None, tuple[int, int], tuple[int, int]]:
    """Reach of a centre unit and of its diagonal neighbour on random inputs of ``shape``."""
    c, h, w = shape
    with torch.inference_mode(False), torch.enable_grad(), _linearised(model):
        x = torch.randn(2 * k, c, h, w, device=device, requires_grad=True)
        out = layer_output(model, module, x)
        if out.dim() != 4 or out.shape[2] * out.shape[3] == 1:  # a dense unit or a 1 x 1 map
            target = out.reshape(2 * k, out.shape[1], -1)[:, channel].sum()
            centre, grid = (0, 0), (1, 1)
        else:
            oh, ow = out.shape[2:]
            centre, grid = (oh // 2, ow // 2), (oh, ow)
            near = (min(centre[0] + 1, oh - 1), min(centre[1] + 1, ow - 1))
            target = out[:k, channel, centre[0], centre[1]].sum() + out[k:, channel, near[0], near[1]].sum()
        (grads,) = torch.autograd.grad(target, x)
    reach = grads.detach().abs().sum(1)  # 2k x H x W
    return _bbox(reach[:k].sum(0) > 0), _bbox(reach[k:].sum(0) > 0), centre, grid


def receptive_field(model: nn.Module, module: nn.Module, channel: int, shape: tuple[int, int, int], device: torch.device) -> FieldModel | None:
    """Where ``channel`` of ``module`` looks on the input, as a function of the unit's position.

    Probed by back-propagation through the linearised network at a centre unit and its
    diagonal neighbour. A large input is
    first tried at 64 and 128 pixels (the field does not depend on the input size while it
    fits inside it); a model that refuses those sizes is probed at its own.
    """
    c, h, w = shape
    small = c * h * w <= 4096
    sizes = [] if small else [(s, s) for s in (64, 128) if s < min(h, w)]
    for size in [*sizes, (h, w)]:
        try:
            a, b, centre, grid = _probe(model, module, channel, (c, *size), device, RF_SAMPLES)
        except (RuntimeError, ValueError):
            if size == (h, w):
                raise
            continue
        inside = a is not None and a[0] > 0 and a[1] > 0 and a[2] < size[0] and a[3] < size[1]
        if inside or size == (h, w):
            break
    if a is None:
        return None
    if grid == (1, 1) or b is None:
        return FieldModel((a[0], a[1]), (a[2] - a[0], a[3] - a[1]), (0.0, 0.0), (h, w))
    jump = []
    for axis, limit in ((0, size[0]), (1, size[1])):
        if a[axis] > 0 and b[axis] > 0:
            jump.append(float(b[axis] - a[axis]))
        elif a[axis + 2] < limit and b[axis + 2] < limit:
            jump.append(float(b[axis + 2] - a[axis + 2]))
        else:
            jump.append(0.0)
    span = (a[2] - a[0], a[3] - a[1])
    # Unclipped start of the centre unit, from whichever edge was not clipped.
    start = [a[0] if a[0] > 0 or a[2] >= size[0] else a[2] - span[0], a[1] if a[1] > 0 or a[3] >= size[1] else a[3] - span[1]]
    if jump == [0.0, 0.0]:  # wider than the input everywhere: the whole input
        return FieldModel((0.0, 0.0), (h, w), (0.0, 0.0), (h, w))
    return FieldModel((start[0] - centre[0] * jump[0], start[1] - centre[1] * jump[1]), span, (jump[0], jump[1]), (h, w))


def producer(module: nn.Module, channels: int) -> tuple[str, nn.Module] | None:
    """The convolution or linear layer (inside ``module``, or itself) whose outputs are its ``channels``."""
    found = None
    for name, m in module.named_modules():
        if isinstance(m, nn.Conv2d) and m.out_channels == channels or isinstance(m, nn.Linear) and m.out_features == channels:
            found = (name, m)
    return found


class UnitExtra:
    """Sends one channel's activation; kernels and receptive field are computed at selection.

    params (``UnitParams``): ``layer`` (module path) and ``index`` (channel or unit). Another unit
    of the same layer is taken in place (``update``): the hook on the layer stays.
    """

    key = "unit"
    grad_at: str | None = None  # no gradient: the frame stays in inference mode

    def __init__(self, loaded: LoadedModel, params: UnitParams) -> None:
        self.spec = loaded.spec
        self._loaded = loaded
        self.layer = params.layer
        modules = dict(loaded.model.named_modules())
        if self.layer not in modules:
            raise KeyError(f"no layer {self.layer!r} in {self.spec.name}")
        self._twin = hook_free_twin(loaded)
        shape = (self.spec.input.channels, *self.spec.input.size)
        with torch.inference_mode():
            probe = layer_output(self._twin, dict(self._twin.named_modules())[self.layer], torch.zeros(1, *shape, device=loaded.device))
        self._channels = probe.shape[1] if probe.dim() > 1 else probe.shape[0]
        self._select(params.index)
        self._capture = ForwardCapture(loaded.model, [modules[self.layer]], lambda out: out[:1, self.index])

    def _select(self, index: int) -> None:
        """Unit ``index`` of the layer: its receptive field, incoming kernels and top digits."""
        if not 0 <= index < self._channels:
            raise IndexError(f"{self.layer} has {self._channels} channels; there is no channel {index}")
        self.index = index
        layer = dict(self._twin.named_modules())[self.layer]
        shape = (self.spec.input.channels, *self.spec.input.size)
        self.field = receptive_field(self._twin, layer, index, shape, self._loaded.device)
        self._kernels = self._incoming(layer, self._channels)
        self._top = top_images(self._loaded, self.layer, index, self.field)

    def update(self, params: UnitParams) -> bool:
        """Another unit of the same layer, in place (the layer's hook stays); False for another layer."""
        if params.layer != self.layer:
            return False
        self._select(params.index)
        return True

    def _incoming(self, module: nn.Module, channels: int) -> tuple[np.ndarray | None, tuple[int, int], tuple[float, float], str]:
        found = producer(module, channels)
        if found is None:
            return None, (1, 1), (0.0, 0.0), ""
        name, layer = found
        weight: torch.Tensor = layer.weight  # type: ignore[assignment]  # a conv or linear layer's
        with torch.inference_mode():
            weights = weight[self.index].float()  # C_in x kh x kw, or in_features
            scaled, lo, hi = normalise(weights, NormMode.PER_LAYER, True, (0.0, 0.0))
            image, grid, _ = tile(scaled)
        source = f"{self.layer}.{name}" if name else self.layer
        return image.cpu().numpy(), grid, (float(lo), float(hi)), source

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        """Device tensors: the selected channel's activation and the input pixels."""
        values = self._capture.for_input(ctx.x)
        self._capture.clear()
        if values is None or values[0] is None:
            raise RuntimeError(f"layer {self.layer} did not run in this frame's forward pass")
        activation = values[0][0].float()  # H x W, or a scalar for a dense unit
        return [activation.reshape(activation.shape if activation.dim() == 2 else (1, 1)), input_pixels(ctx.x, self.spec)]

    def unpack(self, arrays: list[np.ndarray]) -> UnitInsight:
        """The frame's record: the unit's activation, kernels and field, with its top digits."""
        activation, pixels = arrays
        row, col = np.unravel_index(int(np.argmax(activation)), activation.shape)
        peak = (int(row), int(col))
        rect = None if self.field is None else self.field.rect(*peak)
        kernels, grid, value_range, source = self._kernels
        top, message = self._top
        return UnitInsight(self.layer, self.index, activation, pixels, kernels, grid, value_range, source, rect, peak, top, message)

    def close(self) -> None:
        """Take off the hook that captures the selected layer."""
        self._capture.remove()
