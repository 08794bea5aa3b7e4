"""A unit's arithmetic for any model: patch x kernel, partial sums, bias, then what follows.

``explain(model, x, layer, units)`` runs one forward pass with hooks on every leaf module, keeps
the input of ``layer`` and, for each unit asked for, its output there and the values of the
modules that follow it directly (each taking the previous one's output: BatchNorm, then the
activation), and works out each unit's sum from the layer's own weights. Convolutions of any
stride, padding, dilation and groups (a grouped or depthwise unit reads only its group's
channels), linear layers, and max and average pooling are explained; anything else (a custom
operation of a user's model) raises ``NotExplained`` with the reason, in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from viz_app.errors import Interruption, UserError
from viz_app.records.arithmetic import After, ChannelTerm, UnitArithmetic

FOLLOWERS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Sigmoid, nn.Tanh,
             nn.Hardswish, nn.Hardsigmoid, nn.Hardtanh, nn.Mish, nn.Softplus, nn.PReLU)  # fmt: skip
EXPLAINED = (nn.Conv2d, nn.Linear, nn.MaxPool2d, nn.AvgPool2d)


@dataclass(frozen=True)
class AsConvolution:
    """What a module of its own computes, said as a convolution (``module.as_convolution()``):
    LeNet-5 1998's C3 (a 5x5 convolution whose output map o reads only the input maps
    ``connected[o]``, the paper's table) or its S2 (each 2x2 block times a coefficient plus a
    bias: a depthwise 2x2 convolution of stride 2)."""

    weight: torch.Tensor  # out x in/groups x kh x kw, zeros where nothing is connected
    bias: torch.Tensor | None
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)  # left, right, top, bottom
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    connected: tuple[tuple[int, ...], ...] | None = None  # per output map, the input maps it reads (None: all of its group)
    name: str = "convolution"


class NotExplained(UserError):
    """The layer is not one the arithmetic can be shown for, or the unit lies outside its map."""


def explainable(module: nn.Module) -> bool:
    """Whether units of ``module`` can be explained (a module of its own: when it says how it is a convolution)."""
    if callable(getattr(module, "as_convolution", None)):
        return True
    return isinstance(module, EXPLAINED) and not (isinstance(module, nn.Conv2d) and module.padding_mode != "zeros")


def require_explainable(layer: str, module: nn.Module) -> None:
    """NotExplained, saying why in one line, unless units of ``module`` can be explained."""
    if not explainable(module):
        why = f"its padding mode is {module.padding_mode!r}" if isinstance(module, nn.Conv2d) else "a custom or unsupported operation"
        raise NotExplained(f"{layer} is a {type(module).__name__} ({why}): the arithmetic is shown for convolutions, "
                           "linear layers and max and average pooling")  # fmt: skip


def _as_convolution(module: nn.Module) -> AsConvolution:
    if isinstance(module, nn.Conv2d):
        left, right, top, bottom = module._reversed_padding_repeated_twice  # zeros around the input, as the layer adds them
        return AsConvolution(module.weight, module.bias, _pair(module.stride), (left, right, top, bottom), _pair(module.dilation),
                             module.groups, name=repr(module))  # fmt: skip
    said = module.as_convolution()  # type: ignore[operator]
    return AsConvolution(**said) if isinstance(said, dict) else said


def resolve_layer(model: nn.Module, name: str) -> str:
    """``name`` if it is an explainable module; for a block (LeNet-5's ``c3``: convolution and
    activation), its first explainable module; otherwise NotExplained, saying what can be."""
    modules = dict(model.named_modules())
    if name not in modules:
        known = [n for n, m in modules.items() if n and explainable(m)]
        listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        raise NotExplained(f"{name!r} is not a layer of this model; its convolution, linear and pooling layers: {listed}")
    module = modules[name]
    if explainable(module) or not list(module.children()):
        return name
    inner = next((f"{name}.{n}" for n, m in module.named_modules() if n and explainable(m)), None)
    return inner or name


class _Done(Interruption):
    """Raised by a hook once the layer and what follows it have run: the rest of the forward is not
    needed (an Interruption: a user's model's guard lets it through as it is)."""


@torch.no_grad()
def explain(model: nn.Module, x: torch.Tensor, layer: str, units: Sequence[tuple[int, ...]] = (),
            strongest: int | None = None) -> list[UnitArithmetic]:  # fmt: skip
    """The arithmetic of each of ``units`` of ``layer`` for input ``x`` (1 x C x H x W, prepared); with
    ``strongest``, also of the unit of that channel that fires most (first in the list)."""
    modules = dict(model.named_modules())
    if layer not in modules:
        raise NotExplained(f"{layer!r} is not a layer of this model")
    module = modules[layer]
    require_explainable(layer, module)
    run = _Run(module)
    handles = [m.register_forward_hook(run.hook) for m in model.modules() if not list(m.children())]
    try:
        model.eval()
        model(x)
    except _Done:
        pass
    finally:
        for handle in handles:
            handle.remove()
    if run.input is None or run.output is None:
        raise NotExplained(f"{layer} did not run on this input")
    names = {id(m): n for n, m in modules.items()}
    inp, out = run.input, run.output
    asked = ([_strongest(out[0], strongest)] if strongest is not None else []) + list(units)
    results = []
    for unit in asked:
        _check_unit(layer, unit, tuple(out.shape[1:]))
        hooked = float(out[(0, *unit)])
        after = tuple(After(names.get(id(m), type(m).__name__), type(m).__name__, float(o[(0, *unit)])) for m, o in run.chain)
        results.append(_arithmetic(layer, module, inp, unit, tuple(out.shape[1:]), hooked, after))
    return results


class _Run:
    """One forward's hooks: the layer's input and output (its first call), then the modules that
    took its output one after the other (BatchNorm, the activation); the forward stops after them."""

    def __init__(self, module: nn.Module) -> None:
        self.module = module
        self.input: torch.Tensor | None = None
        self.output: torch.Tensor | None = None
        self.chain: list[tuple[nn.Module, torch.Tensor]] = []
        self._last = 0  # id of the newest output of the chain

    def hook(self, m: nn.Module, inputs: tuple, output: object) -> None:
        if not isinstance(output, torch.Tensor) or not inputs or not isinstance(inputs[0], torch.Tensor):
            return
        if self.output is None:
            if m is self.module:
                self.input, self.output = inputs[0].detach().clone(), output.detach().clone()  # before an in-place activation
                self._last = id(output)
            return
        follows = isinstance(m, FOLLOWERS) or getattr(m, "elementwise", False)
        if id(inputs[0]) != self._last or not follows or output.shape != self.output.shape:
            raise _Done
        self.chain.append((m, output.detach().clone()))
        self._last = id(output)


def _strongest(out: torch.Tensor, channel: int) -> tuple[int, ...]:
    """Where ``channel`` of an output (C x H x W, or C for a linear layer) fires most."""
    channel = min(max(channel, 0), out.shape[0] - 1)
    if out.dim() == 1:
        return (channel,)
    plane = out[channel]
    flat = int(plane.argmax())
    return (channel, flat // plane.shape[-1], flat % plane.shape[-1])


def _check_unit(layer: str, unit: tuple[int, ...], shape: tuple[int, ...]) -> None:
    if len(unit) != len(shape) or any(not 0 <= u < s for u, s in zip(unit, shape, strict=False)):
        dims = "x".join(str(s) for s in shape)
        raise NotExplained(f"unit {','.join(map(str, unit))} is outside {layer}'s output of {dims}")


def _arithmetic(layer: str, module: nn.Module, inp: torch.Tensor, unit: tuple[int, ...], shape: tuple[int, ...], hooked: float,
                after: tuple[After, ...]) -> UnitArithmetic:  # fmt: skip
    if isinstance(module, nn.Linear):
        return _linear(layer, module, inp, unit, shape, hooked, after)
    if isinstance(module, nn.MaxPool2d | nn.AvgPool2d):
        return _pool(layer, module, inp, unit, shape, hooked, after)
    return _conv(layer, _as_convolution(module), inp, unit, shape, hooked, after)


def _conv(layer: str, conv: AsConvolution, inp: torch.Tensor, unit: tuple[int, ...], shape: tuple[int, ...], hooked: float,
          after: tuple[After, ...]) -> UnitArithmetic:  # fmt: skip
    c, y, x = unit
    left, right, top, bottom = conv.padding
    padded = F.pad(inp[0], (left, right, top, bottom))  # Cin x (H + pads) x (W + pads)
    out_channels, width, kh, kw = conv.weight.shape
    (sh, sw), (dh, dw) = conv.stride, conv.dilation
    group = c // (out_channels // conv.groups)
    first = group * width
    y0, x0 = y * sh, x * sw
    patches = padded[first : first + width, y0 : y0 + dh * (kh - 1) + 1 : dh, x0 : x0 + dw * (kw - 1) + 1 : dw]  # width x kh x kw
    kernels = conv.weight[c]  # width x kh x kw
    products = patches.double() * kernels.double()
    sums = products.sum(dim=(1, 2))
    bias = float(conv.bias[c]) if conv.bias is not None else 0.0
    reads = range(width) if conv.connected is None else [i - first for i in conv.connected[c]]  # the table's row: the maps it reads
    terms = tuple(ChannelTerm(first + i, patches[i].float().cpu().numpy(), kernels[i].float().cpu().numpy(),
                              products[i].cpu().numpy(), float(sums[i])) for i in reads)  # fmt: skip
    return UnitArithmetic(layer, "conv", conv.name, unit, shape, bias, terms, float(sums.sum()) + bias, hooked, after,
                          (sh, sw), (top, bottom, left, right), (dh, dw), conv.groups, group, (y0 - top, x0 - left),
                          conv.connected)  # fmt: skip


def _linear(layer: str, linear: nn.Linear, inp: torch.Tensor, unit: tuple[int, ...], shape: tuple[int, ...], hooked: float,
            after: tuple[After, ...]) -> UnitArithmetic:  # fmt: skip
    if inp.dim() != 2:
        raise NotExplained(f"{layer} is applied to a {inp.dim()}-d input: the arithmetic is shown for a linear layer on a vector")
    (c,) = unit
    values, weights = inp[0], linear.weight[c]
    products = values.double() * weights.double()
    bias = float(linear.bias[c]) if linear.bias is not None else 0.0
    terms = tuple(ChannelTerm(i, np.array([[float(values[i])]], np.float32), np.array([[float(weights[i])]], np.float32),
                              np.array([[float(products[i])]]), float(products[i])) for i in range(values.numel()))  # fmt: skip
    return UnitArithmetic(layer, "linear", repr(linear), unit, shape, bias, terms, float(products.sum()) + bias, hooked, after)


def _pool(layer: str, pool: nn.Module, inp: torch.Tensor, unit: tuple[int, ...], shape: tuple[int, ...], hooked: float,
          after: tuple[After, ...]) -> UnitArithmetic:  # fmt: skip
    assert isinstance(pool, nn.MaxPool2d | nn.AvgPool2d)
    c, y, x = unit
    kh, kw = _pair(pool.kernel_size)
    sh, sw = _pair(pool.stride or pool.kernel_size)
    ph, pw = _pair(pool.padding)
    dh, dw = _pair(pool.dilation) if isinstance(pool, nn.MaxPool2d) else (1, 1)
    is_max = isinstance(pool, nn.MaxPool2d)
    plane = F.pad(inp[0, c], (pw, pw, ph, ph), value=float("-inf") if is_max else 0.0)
    y0, x0 = y * sh, x * sw
    window = plane[y0 : y0 + dh * (kh - 1) + 1 : dh, x0 : x0 + dw * (kw - 1) + 1 : dw]  # cut by the edge in ceil mode
    if is_max:
        value = float(window.max())
    else:
        assert isinstance(pool, nn.AvgPool2d)
        inside = window.numel() if pool.count_include_pad else _inside(y0, x0, kh, kw, ph, pw, inp.shape[-2:])
        divisor = pool.divisor_override or inside
        value = float(window.double().sum()) / divisor
    term = ChannelTerm(c, window.float().cpu().numpy(), np.zeros((0, 0), np.float32), np.zeros((0, 0)), value)
    return UnitArithmetic(layer, "max pool" if is_max else "average pool", repr(pool), unit, shape, 0.0, (term,), value, hooked,
                          after, (sh, sw), (ph, ph, pw, pw), (dh, dw), 1, c, (y0 - ph, x0 - pw))  # fmt: skip


def _pair(value: int | tuple[int, ...]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _inside(y0: int, x0: int, kh: int, kw: int, ph: int, pw: int, size: torch.Size) -> int:
    """How many of a window's cells lie on the input itself, not on its padding."""
    h, w = int(size[0]), int(size[1])
    rows = max(0, min(y0 + kh, h + ph) - max(y0, ph))
    cols = max(0, min(x0 + kw, w + pw) - max(x0, pw))
    return rows * cols
