"""The layers worth showing of a network nobody described: its stages, last convolution and logits.

One forward pass with a hook on every module records, in the order they finish, each
module's output shape. A *stage* ends where the spatial size of the activations changes: the
last module to finish at one size (the outermost one, since a block finishes after its
children) is shown. The last convolution's output and the logits are added, and the list is
thinned evenly to a readable number. The pass runs on the meta device where the model allows
(shapes only: no memory, no arithmetic), else on the CPU.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

MAX_LAYERS = 12
Layers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Output:
    """One module's output in a forward pass: where it is and its shape."""

    path: str
    shape: tuple[int, ...]
    conv: bool
    kind: str = ""  # the module's class name


def trace_outputs(model: nn.Module, input_shape: tuple[int, ...]) -> tuple[list[Output], tuple[int, ...]]:
    """(each module run exactly once, in the order they finished; the model's output shape).

    Modules run more than once (a shared ReLU) are left out: a hook on them sees several tensors.
    """
    finished: list[Output] = []
    calls: dict[str, int] = {}
    paths = {module: path for path, module in model.named_modules() if path}

    def hook(module: nn.Module, _inputs: object, output: object) -> None:
        path = paths[module]
        calls[path] = calls.get(path, 0) + 1
        if isinstance(output, (tuple, list)) and output:  # a max-pool with its indices: the probe shows the first
            output = output[0]
        if isinstance(output, torch.Tensor):
            finished.append(Output(path, tuple(output.shape), isinstance(module, nn.modules.conv._ConvNd), type(module).__name__))

    handles = [module.register_forward_hook(hook) for module in paths]
    try:
        with torch.inference_mode():
            out = model(torch.zeros(1, *input_shape, device=_device_of(model)))
    finally:
        for handle in handles:
            handle.remove()
    if isinstance(out, (tuple, list)) and out and isinstance(out[0], torch.Tensor):
        out = out[0]
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"the model returns {type(out).__name__}, not a tensor of class scores")
    return [o for o in finished if calls[o.path] == 1], tuple(out.shape)


def _device_of(model: nn.Module) -> torch.device:
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


def choose_layers(outputs: list[Output], out_shape: tuple[int, ...], input_shape: tuple[int, ...], cap: int = MAX_LAYERS) -> Layers:
    """Stage ends, the last convolution and the logits, at most ``cap`` of them, in forward order.

    A stage is every output at one spatial size that is never exceeded later (a squeeze-and-
    excitation's 1x1 inside a block is no stage); its end is the outermost module finishing at
    that size, the latest of them; a container holding several stages ("features") is none.
    Channels-last tensors (a ConvNeXt block's N x H x W x C) are
    told apart by their aspect ratio, which is not the input's.
    """
    sizes = [o.shape[2] * o.shape[3] if _spatial(o.shape, input_shape) else -1 for o in outputs]
    later = [max(sizes[i + 1 :], default=-1) for i in range(len(sizes))]
    stages: dict[int, int] = {}  # spatial size -> index of its end
    spans = _spanning(outputs, sizes)
    for i, o in enumerate(outputs):
        if sizes[i] < 0 or sizes[i] < later[i] or i in spans:
            continue
        best = stages.get(sizes[i])
        if best is None or o.path.count(".") <= outputs[best].path.count("."):
            stages[sizes[i]] = i
    picked = sorted(stages.values())
    convs = [i for i, o in enumerate(outputs) if o.conv]
    logits = [i for i, o in enumerate(outputs) if o.shape == out_shape]
    must = [i for i in convs[-1:] + logits[-1:] if i not in picked]
    chosen = sorted(set(_thin(picked, max(cap - len(must), 1)) + must))
    return _titled([outputs[i] for i in chosen])


def _spanning(outputs: list[Output], sizes: list[int]) -> set[int]:
    """Indices of modules that contain outputs of another spatial size (containers of stages)."""
    spans = set()
    for i, o in enumerate(outputs):
        prefix = o.path + "."
        if any(sizes[j] >= 0 and sizes[j] != sizes[i] and p.path.startswith(prefix) for j, p in enumerate(outputs[:i])):
            spans.add(i)
    return spans


def _spatial(shape: tuple[int, ...], input_shape: tuple[int, ...]) -> bool:
    """Whether ``shape`` is N x C x H x W with the input's aspect ratio (or a 1 x 1 map)."""
    if len(shape) != 4 or len(input_shape) != 3:
        return False
    h, w = shape[2], shape[3]
    aspect = input_shape[1] / input_shape[2]
    return (h == 1 and w == 1) or abs(h / w - aspect) <= 0.25 * aspect


def _thin(indices: list[int], n: int) -> list[int]:
    """``n`` of ``indices`` spread evenly, first and last kept."""
    if len(indices) <= n:
        return indices
    if n == 1:
        return indices[-1:]
    return [indices[round(k * (len(indices) - 1) / (n - 1))] for k in range(n)]


_NOISE = re.compile(r"^(?:[A-Z][A-Za-z]*_)?/?|_output_\d+$")


def short_title(path: str) -> str:
    """A converted graph's node name made readable ("Relu_/c1/c1.1/Relu_output_0" -> "c1.c1.1.Relu")."""
    return (_NOISE.sub("", path).replace("/", ".").strip(".") if "/" in path else path) or path


def _titled(outputs: list[Output]) -> Layers:
    """(path, title): a short readable title, without "/" (which would group layers as branches)."""
    titles: list[tuple[str, str]] = []
    seen: set[str] = set()
    for o in outputs:
        title = short_title(o.path)
        if title.rsplit(".", 1)[-1].isdigit() and o.kind:  # a Sequential's child: say what it is
            title = f"{title} {o.kind}"
        title = title if len(title) <= 40 else "..." + title[-37:]
        while title in seen:
            title += "'"
        seen.add(title)
        titles.append((o.path, title))
    return tuple(titles)


def auto_layers(model: nn.Module, input_shape: tuple[int, ...], cap: int = MAX_LAYERS) -> Layers:
    """The layers to show of ``model`` on a ``C x H x W`` input (see the module's docstring)."""
    outputs, out_shape = trace_outputs(model, input_shape)
    return choose_layers(outputs, out_shape, input_shape, cap)


def meta_trace(build: Callable[[], nn.Module], input_shape: tuple[int, ...]) -> tuple[nn.Module, list[Output], tuple[int, ...]]:
    """Build on the meta device and trace there: shapes only, no memory, no arithmetic.

    A builder that computes with tensors (RegNet's widths) cannot run on the meta device: it
    is built on the CPU without initialising its weights (untouched pages cost no memory),
    then moved to the meta device for the trace.
    """
    try:
        with torch.device("meta"):
            model = build()
    except (NotImplementedError, RuntimeError):
        with _no_init():
            model = build()
        model = model.to("meta")
    outputs, out_shape = trace_outputs(model.eval(), input_shape)
    return model, outputs, out_shape


_INITS = ("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "xavier_uniform_", "xavier_normal_",
          "kaiming_uniform_", "kaiming_normal_", "orthogonal_")  # fmt: skip


@contextmanager
def _no_init() -> Iterator[None]:
    """Within: ``torch.nn.init``'s fills leave tensors as they are (for a model only traced)."""
    saved = {name: getattr(nn.init, name) for name in _INITS}
    try:
        for name in _INITS:
            setattr(nn.init, name, lambda tensor, *args, **kwargs: tensor)
        yield
    finally:
        for name, fn in saved.items():
            setattr(nn.init, name, fn)
