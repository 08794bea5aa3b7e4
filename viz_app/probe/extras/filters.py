"""The first convolutional layer's learned filters: the "filters" extra."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.base import ExtraContext
from viz_app.probe.mosaic import normalise, tile
from viz_app.records.frames import NormMode
from viz_app.records.panels import FiltersRecord, NoParams


def first_conv(model: nn.Module) -> tuple[str, nn.Conv2d] | None:
    """The model's first convolution (path, module), or None when it has none."""
    for name, module in model.named_modules():
        if isinstance(module, nn.Conv2d):
            return name, module
    return None


def filters_record(model: nn.Module) -> FiltersRecord | None:
    """The first convolution's filters as one mosaic: gray (diverging, 0 in the middle) or RGB."""
    found = first_conv(model)
    if found is None:
        return None
    name, conv = found
    with torch.inference_mode():
        w = conv.weight.detach().float().cpu()  # out x in x kh x kw
        if w.shape[1] == 3:  # colour filters: each stretched to 0..255 on its own
            lo = w.amin(dim=(1, 2, 3), keepdim=True)
            hi = w.amax(dim=(1, 2, 3), keepdim=True)
            scaled = (w - lo) / (hi - lo).clamp_min(1e-8) * 255.0
            planes = [tile(scaled[:, i])[0] for i in range(3)]
            image = torch.stack(planes, dim=-1)  # rows x cols x 3
            grid, value_range = tile(scaled[:, 0])[1], (0.0, 0.0)
        else:
            scaled, lo, hi = normalise(w[:, 0], NormMode.PER_LAYER, True, (0.0, 0.0))
            image, grid, _ = tile(scaled)
            value_range = (float(lo), float(hi))
    return FiltersRecord(name, image.numpy(), grid, (int(w.shape[2]), int(w.shape[3])), int(w.shape[0]), value_range)


class FiltersExtra:
    """Sends the first convolution's learned filters (they change only with the weights)."""

    key = "filters"
    grad_at: str | None = None  # no gradient: the frame stays in inference mode

    def __init__(self, loaded: LoadedModel, params: NoParams) -> None:
        self._model = loaded.model
        self.record = filters_record(loaded.model)
        if self.record is None:
            raise ValueError(f"{loaded.spec.title} has no convolution")

    def weights_reloaded(self) -> None:
        """The model's weights were rewritten in place (trained live): its filters again."""
        self.record = filters_record(self._model) or self.record

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        """No tensors: the filters are a property of the weights, worked out once."""
        return []

    def unpack(self, arrays: list[np.ndarray]) -> FiltersRecord:
        """The same FiltersRecord every frame (the panel draws it once)."""
        return self.record  # type: ignore[return-value]

    def close(self) -> None:
        """Nothing to take off: this extra registers no hooks."""
