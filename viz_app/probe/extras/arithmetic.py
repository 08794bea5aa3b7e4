"""The selected unit's arithmetic on every frame: the "arithmetic" extra.

It runs the frame's input once more through a hook-free twin of the model (the probe's hooks see
only the frame's own forward) and works out the unit's sum (``viz_app.probe.arithmetic``): LeNet-5
costs a fraction of a millisecond, so the numbers follow the pen. A layer it cannot explain is
refused when the unit is chosen, with the reason, and the panel says it.
"""

from __future__ import annotations

import numpy as np
import torch

from viz_app.models.loader import LoadedModel
from viz_app.probe.arithmetic import explain, require_explainable, resolve_layer
from viz_app.probe.extras.base import ExtraContext
from viz_app.probe.extras.se import hook_free_twin
from viz_app.records.arithmetic import UnitArithmetic
from viz_app.records.panels import ArithmeticParams


class ArithmeticExtra:
    """Sends the ``UnitArithmetic`` of the selected unit for each frame."""

    key = "arithmetic"
    grad_at: str | None = None

    def __init__(self, loaded: LoadedModel, params: ArithmeticParams) -> None:
        self._twin = hook_free_twin(loaded)
        self.params = params
        self.layer = resolve_layer(self._twin, params.layer)
        require_explainable(self.layer, dict(self._twin.named_modules())[self.layer])  # refused when chosen, not every frame

    def update(self, params: ArithmeticParams) -> bool:
        """Another position in the same map: the same extra (True); another map or layer: rebuilt."""
        if (params.layer, params.index) != (self.params.layer, self.params.index):
            return False
        self.params = params
        return True

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        """Nothing on the device: the unit is worked out in ``unpack`` from the frame's input."""
        self._x = ctx.x.detach().float().cpu()
        return []

    def unpack(self, arrays: list[np.ndarray]) -> UnitArithmetic:
        """The unit's arithmetic for this frame; its position where the channel fires most unless one was chosen."""
        p = self.params
        with torch.inference_mode(False), torch.no_grad():
            if p.y >= 0 and p.x >= 0:
                (unit,) = explain(self._twin, self._x, self.layer, [(p.index, p.y, p.x)])
            else:
                (unit,) = explain(self._twin, self._x, self.layer, strongest=p.index)
        return unit

    def close(self) -> None:
        """Nothing to take off: its hooks live only within each of its own forwards."""
