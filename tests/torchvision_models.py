"""torchvision's ImageNet architectures without weights, wrapped like the registry's models."""

from __future__ import annotations

import torch
import torchvision

from viz_app.models.loader import LoadedModel
from viz_app.models.registry import InputSpec, ModelSpec

IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def torchvision_loaded(arch: str) -> LoadedModel:
    """A torchvision ImageNet model with weights=None, seeded, in eval mode on the CPU."""
    builder = getattr(torchvision.models, arch)
    spec = ModelSpec(
        arch, arch, lambda: builder(weights=None), group="ImageNet",
        input=InputSpec(size=(224, 224), channels=3, mean=IMAGENET_MEAN, std=IMAGENET_STD), classes=tuple(str(i) for i in range(1000)),
    )  # fmt: skip
    torch.manual_seed(0)
    return LoadedModel(spec, spec.build().eval().requires_grad_(False), torch.device("cpu"), "untrained weights", False, {}, ())
