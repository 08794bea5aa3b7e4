"""What a model card says beside the weights: where and how they were made, and the activation
ranges the window's fixed colour scale uses. Every trainer writes these."""

from __future__ import annotations

import datetime as dt
import platform
from typing import Any

import torch
from torch import nn

from viz_app.models.inputs import digits_to_tensor
from viz_app.models.registry import ModelSpec
from viz_app.probe.hooks import LayerProbe
from viz_app.training.mnist import Digits


def provenance(spec: ModelSpec) -> dict[str, Any]:
    """What the card says about the machine, the time and the input the weights expect."""
    return {
        "trained_on": platform.platform(),
        "torch": torch.__version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "classes": list(spec.classes),
        "input_size": list(spec.input.size),
        "mean": list(spec.input.mean),
        "std": list(spec.input.std),
    }


@torch.inference_mode()
def activation_ranges(model: nn.Module, spec: ModelSpec, digits: Digits, n: int = 1000) -> dict[str, list[float]]:
    """Per shown layer, the 0.1% and 99.9% quantiles of its activations on test digits.

    They give the window's fixed colour range, which does not flicker from frame to frame.
    """
    names = [name for name, _ in spec.layers]
    if not names:
        return {}
    x = digits_to_tensor(digits.images[:n], spec)
    ranges: dict[str, list[float]] = {}
    with LayerProbe(model, names) as probe:
        model(x)
        for name in names:
            values = probe.outputs[name].flatten().float()
            values = values[torch.randperm(values.numel())[: 1 << 20]]
            lo, hi = torch.quantile(values, torch.tensor([0.001, 0.999])).tolist()
            if lo < 0:
                lo, hi = -max(-lo, hi), max(-lo, hi)
            ranges[name] = [round(lo, 4), round(hi, 4)]
    return ranges
