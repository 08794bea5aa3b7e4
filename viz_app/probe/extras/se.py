"""Squeeze-and-excitation gates, captured live by forward hooks (the "se" extra).

Also home of two helpers the other insight extras share: ``ForwardCapture`` (hooks that keep
what chosen modules produced, per model input, so a later batched forward of another extra
cannot overwrite the frame's values) and ``hook_free_twin`` (a copy of the model that shares
its weights but carries none of the probe's hooks, for the extras' own forward passes).
"""

from __future__ import annotations

import sys
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.base import ExtraContext
from viz_app.records.panels import NoParams, SEBlock, SERecord

GATE_TYPES: tuple[type[nn.Module], ...] = (nn.Sigmoid, nn.Hardsigmoid)
POOL_TYPES: tuple[type[nn.Module], ...] = (nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool1d, nn.AdaptiveMaxPool2d)
CARD_KEY = "se_class_means"


class ForwardCapture:
    """Forward hooks on ``modules`` that keep ``pick(output)`` of each forward, keyed by its input.

    A pre-hook on the model starts a new record per forward; ``for_input(x)`` returns the
    record of the forward whose input tensor *is* ``x`` (the pipeline passes the same tensor to
    the model and to the extras). A module that fires several times keeps its last output.
    """

    def __init__(self, model: nn.Module, modules: Sequence[nn.Module], pick: Callable[[torch.Tensor], torch.Tensor]) -> None:
        self._pick = pick
        self._count = len(modules)
        self._forwards: deque[tuple[Any, list[torch.Tensor | None]]] = deque(maxlen=4)
        # First among the model's pre-hooks: it must see the input as the caller passed it.
        self._handles = [model.register_forward_pre_hook(self._on_model_input, prepend=True)]
        self._handles += [m.register_forward_hook(self._hook(i)) for i, m in enumerate(modules)]

    def _on_model_input(self, module: nn.Module, inputs: tuple[Any, ...]) -> None:
        self._forwards.append((inputs[0] if inputs else None, [None] * self._count))

    def _hook(self, i: int) -> Callable[..., None]:
        def hook(module: nn.Module, inputs: Any, output: Any) -> None:
            if self._forwards and isinstance(output, torch.Tensor):
                self._forwards[-1][1][i] = self._pick(output.detach()).clone()

        return hook

    def for_input(self, x: torch.Tensor) -> list[torch.Tensor | None] | None:
        """What each module produced in the forward on ``x`` (None if there was none)."""
        for inp, values in reversed(self._forwards):
            if inp is x:
                return values
        return None

    def clear(self) -> None:
        self._forwards.clear()

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._forwards.clear()


_TWINS: weakref.WeakKeyDictionary[nn.Module, nn.Module] = weakref.WeakKeyDictionary()


def hook_free_twin(loaded: LoadedModel) -> nn.Module:
    """The loaded model rebuilt without hooks, sharing its weight tensors (no copy).

    Extras run their own forwards on it (augmentation batches, Grad-CAM, receptive fields),
    so that the probe's and the SE hooks see only the frame's own forward pass.
    """
    twin = _TWINS.get(loaded.model)
    if twin is None:
        twin = loaded.spec.build()
        twin.load_state_dict(loaded.model.state_dict(), assign=True)
        twin.eval().requires_grad_(False)
        _TWINS[loaded.model] = twin
    return twin


def _contains(module: nn.Module, types: tuple[type[nn.Module], ...]) -> bool:
    return any(isinstance(m, types) for m in module.modules())


def find_se_gates(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """(SE block path, its gate activation) for every squeeze-and-excitation block, in model order.

    An SE block is torchvision's SqueezeExcitation, or any module that holds a global average
    pool and a sigmoid / hard-sigmoid while none of its children holds both (the innermost
    such module); its gate is the last sigmoid inside it.
    """
    # A model holds torchvision's blocks only if torchvision is imported: no need to import it here.
    ops = sys.modules.get("torchvision.ops")
    squeeze_excitation = ops.SqueezeExcitation if ops is not None else ()
    found: list[tuple[str, nn.Module]] = []
    for name, module in model.named_modules():
        if any(name.startswith(f"{block}.") for block, _ in found):
            continue
        if isinstance(module, squeeze_excitation):
            found.append((name, module.scale_activation))
            continue
        if not name or not (_contains(module, POOL_TYPES) and _contains(module, GATE_TYPES)):
            continue
        if any(_contains(c, POOL_TYPES) and _contains(c, GATE_TYPES) for c in module.children()):
            continue
        gates = [m for m in module.modules() if isinstance(m, GATE_TYPES)]
        found.append((name, gates[-1]))
    return found


def card_class_means(card: dict[str, Any], blocks: Sequence[str]) -> dict[str, np.ndarray]:
    """The per-class mean gates stored in a model card (blocks missing or malformed are left out)."""
    stored = card.get(CARD_KEY, {})
    means: dict[str, np.ndarray] = {}
    if not isinstance(stored, dict):
        return means
    for block in blocks:
        try:
            table = np.asarray(stored[block], dtype=np.float32)  # classes x C
        except (KeyError, TypeError, ValueError):
            continue
        if table.ndim == 2:
            table.setflags(write=False)
            means[block] = table
    return means


class SEExtra:
    """Sends every SE block's gate (C values in 0..1) for the frame's input."""

    key = "se"
    grad_at: str | None = None  # no gradient: the frame stays in inference mode

    def __init__(self, loaded: LoadedModel, params: NoParams) -> None:
        gates = find_se_gates(loaded.model)
        self.blocks = [name for name, _ in gates]
        self.class_means = card_class_means(loaded.card, self.blocks)
        self._capture = ForwardCapture(loaded.model, [g for _, g in gates], lambda out: out.flatten(1)) if gates else None
        self._message = "" if gates else f"{loaded.spec.title} has no squeeze-and-excitation blocks"

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        """Device tensors: every SE block's gates and the prediction."""
        if self._capture is None:
            return [ctx.probabilities.argmax()]
        values = self._capture.for_input(ctx.x)
        self._capture.clear()
        if values is None or any(v is None for v in values):
            raise RuntimeError("the SE gates did not fire in this frame's forward pass")
        return [ctx.probabilities.argmax()] + [v[0].float() for v in values if v is not None]  # each (C,)

    def unpack(self, arrays: list[np.ndarray]) -> SERecord:
        """The frame's SERecord."""
        blocks = []
        for name, weights in zip(self.blocks, arrays[1:]):
            means = self.class_means.get(name)
            if means is not None and means.shape[1] != len(weights):  # a card from other weights
                means = None
            blocks.append(SEBlock(name, weights, means))
        return SERecord(tuple(blocks), int(arrays[0]), self._message)

    def close(self) -> None:
        """Take off the gate hooks."""
        if self._capture is not None:
            self._capture.remove()
            self._capture = None
