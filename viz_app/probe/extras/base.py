"""What a per-frame extra is: the context it gets and the three calls it answers.

An extra computes device tensors from the frame's forward pass; the pipeline copies them to
the host together with everything else (one transfer per frame) and hands the numpy arrays
back to the extra, whose ``unpack`` turns them into the plain record the panel receives in
``FrameResult.extras[extra.key]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch

from viz_app.models.loader import LoadedModel


@dataclass(frozen=True)
class ExtraContext:
    """What one frame's forward pass produced."""

    loaded: LoadedModel
    x: torch.Tensor  # 1 x C x H x W network input on the device
    logits: torch.Tensor  # 1 x classes
    probabilities: torch.Tensor  # classes
    outputs: dict[str, torch.Tensor]  # the probe's captured layers


class FrameExtra(Protocol):
    """A per-frame computation a panel asks for, registered in ``EXTRAS`` under the panel's key."""

    key: str

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        """Device tensors to copy to the host for this frame."""
        ...

    def unpack(self, arrays: list[np.ndarray]) -> Any:
        """A numpy-only, immutable record for the panel (no tensors)."""
        ...

    def close(self) -> None:
        """Take off any hooks this extra registered."""
        ...


ExtraFactory = Callable[[LoadedModel, dict[str, Any]], FrameExtra]
