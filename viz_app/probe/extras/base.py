"""What a per-frame extra is: the context it gets and the three calls it answers.

An extra computes device tensors from the frame's forward pass; the pipeline copies them to
the host together with everything else (one transfer per frame) and hands the numpy arrays
back to the extra, whose ``unpack`` turns them into the plain record the panel receives in
``FrameResult.extras[extra.key]``.

An extra that needs a gradient names where (``grad_at``): the frame's own forward then records
autograd from that point on and the extra finds the tensor to differentiate against in
``ExtraContext.grad_leaves`` (no second forward). Everything else runs in inference mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import torch

from viz_app.models.loader import LoadedModel


@dataclass(frozen=True)
class ExtraContext:
    """What one frame's forward pass produced."""

    loaded: LoadedModel
    x: torch.Tensor  # 1 x C x H x W network input on the device: the very tensor the model ran on
    logits: torch.Tensor  # 1 x classes
    probabilities: torch.Tensor  # classes
    outputs: dict[str, torch.Tensor]  # the probe's captured layers (detached)
    grad_leaves: dict[str, torch.Tensor] = field(default_factory=dict)
    """For each ``grad_at`` the extras asked for, the leaf the logits depend on there.

    ``""``: the network input (1 x C x H x W); a module path: that module's (last) output.
    Only then does ``logits`` carry an autograd graph, from the leaves on; ask for it once,
    with ``score_gradient`` (the graph is freed with it).
    """


def score_gradient(logits: torch.Tensor, leaf: torch.Tensor, class_index: torch.Tensor) -> torch.Tensor:
    """d logits[0, class_index] / d leaf, from the frame's graph (one backward, which frees it).

    ``compute`` runs in inference mode, where indexing records no graph: the score is picked
    out with autograd on.
    """
    with torch.inference_mode(False), torch.enable_grad():
        score = logits[0, class_index]
    (grads,) = torch.autograd.grad(score, leaf)
    return grads


class FrameExtra(Protocol):
    """A per-frame computation a panel asks for; its panel's line in ``viz_app.state.panels`` names it.

    It is built with the panel's parameters (the frozen dataclass that line names). It may also
    define ``update(params) -> bool``: take new parameters in place, hooks and all kept, and say
    True; False (or no such method) has it built anew.
    """

    key: str
    grad_at: str | None
    """Where this extra needs the gradient of the logits: ``""`` the input, a module path
    that module's output, None no gradient (the frame stays in inference mode)."""

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        """Device tensors to copy to the host for this frame."""
        ...

    def unpack(self, arrays: list[np.ndarray]) -> Any:
        """A numpy-only, immutable record for the panel (no tensors)."""
        ...

    def close(self) -> None:
        """Take off any hooks this extra registered."""
        ...


ExtraFactory = Callable[[LoadedModel, Any], FrameExtra]  # (loaded model, the panel's parameters dataclass)


def refuse_string_reader(loaded: LoadedModel, what: str) -> None:
    """Raise a UserError where ``loaded`` reads strings (a class vector at every position), which
    ``what`` cannot explain: it needs one score per class for the whole input."""
    from viz_app.errors import UserError
    from viz_app.models.strings import has_string_head

    if has_string_head(loaded.spec):
        raise UserError(f"{what} needs one score per class; {loaded.spec.title} reads a string (scores at every position): choose a one-digit model")
