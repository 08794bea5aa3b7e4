"""Forward hooks that capture chosen layers, and are always taken off again."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle


class LayerProbe:
    """Keeps the latest output of each named module while attached.

    Outputs are cloned: an in-place operation after the module (``ReLU(inplace=True)``)
    would otherwise rewrite the tensor the probe holds. ``calls`` counts how often each
    module fired since the last ``reset()``; a module reused within one forward fires more
    than once and the probe keeps its last output.
    """

    def __init__(self, model: nn.Module, names: Iterable[str]) -> None:
        self.model = model
        self.names = tuple(names)
        modules = dict(model.named_modules())
        unknown = [n for n in self.names if n not in modules]
        if unknown:
            raise KeyError(f"no such layer(s) in the model: {', '.join(unknown)}")
        self._modules = [modules[n] for n in self.names]
        self._handles: list[RemovableHandle] = []
        self.outputs: dict[str, torch.Tensor] = {}
        self.calls: dict[str, int] = dict.fromkeys(self.names, 0)

    @property
    def attached(self) -> bool:
        """Whether the hooks are on the model."""
        return bool(self._handles)

    def attach(self) -> LayerProbe:
        """Put the hooks on (once); returns the probe."""
        if not self._handles:
            self._handles = [m.register_forward_hook(self._hook(n)) for n, m in zip(self.names, self._modules)]
        return self

    def remove(self) -> None:
        """Take the hooks off and drop the held outputs."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.outputs = {}

    def reset(self) -> None:
        """Forget the outputs and call counts (before the next forward)."""
        self.outputs = {}
        self.calls = dict.fromkeys(self.names, 0)

    def __enter__(self) -> LayerProbe:
        return self.attach()

    def __exit__(self, *exc: Any) -> None:
        self.remove()

    def _hook(self, name: str) -> Callable[[nn.Module, Any, Any], None]:
        def hook(module: nn.Module, inputs: Any, output: Any) -> None:
            tensor = output if isinstance(output, torch.Tensor) else _first_tensor(output)
            if tensor is not None:
                self.outputs[name] = tensor.detach().clone()
            self.calls[name] += 1

        return hook


def _first_tensor(value: Any) -> torch.Tensor | None:
    """The first tensor of a module's tuple, list or dict output (None if it has none)."""
    if isinstance(value, (tuple, list)):
        for item in value:
            if isinstance(item, torch.Tensor):
                return item
    if isinstance(value, dict):
        return _first_tensor(list(value.values()))
    return None


@contextmanager
def gradient_leaves(model: nn.Module, paths: Iterable[str]) -> Iterator[dict[str, torch.Tensor]]:
    """Within: each named module's output becomes a fresh autograd leaf, kept in the yielded dict.

    For one forward under ``torch.enable_grad()`` on a model whose parameters do not require
    grad: nothing records a graph before a leaf, everything after does, so the gradient of the
    logits with respect to a leaf costs one backward through the rest of the network only. The
    module passes on ``leaf + 0`` (not the leaf), so in-place operations downstream
    (``ReLU(inplace=True)``) stay legal. A module that fires more than once keeps its last leaf.
    The hooks are taken off on leaving, whatever happens.
    """
    modules = dict(model.named_modules())
    unknown = [p for p in paths if p not in modules]
    if unknown:
        raise KeyError(f"no such layer(s) in the model: {', '.join(unknown)}")
    leaves: dict[str, torch.Tensor] = {}

    def swap(path: str) -> Callable[[nn.Module, Any, Any], Any]:
        def hook(module: nn.Module, inputs: Any, output: Any) -> Any:
            if not isinstance(output, torch.Tensor):
                raise TypeError(f"{path} returns {type(output).__name__}, not a tensor: no gradient there")
            leaves[path] = output.detach().requires_grad_(True)
            return leaves[path] + 0

        return hook

    handles = [modules[p].register_forward_hook(swap(p)) for p in paths]
    try:
        yield leaves
    finally:
        for handle in handles:
            handle.remove()


def count_hooks(model: nn.Module) -> int:
    """Forward hooks registered on a model's modules (for leak checks)."""
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())
