"""Building a registered model on a device with its weights, never failing on bad weights."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from viz_app.models.device import describe
from viz_app.models.registry import ModelSpec, get_spec
from viz_app.models.weights import WeightsError, apply_state_dict, read_card, read_state_dict
from viz_app.paths import assets_dir
from viz_app.results import ModelInfo


@dataclass
class LoadedModel:
    """A model in eval mode on its device, with where its weights came from."""

    spec: ModelSpec
    model: nn.Module
    device: torch.device
    weights: str
    trained: bool
    card: dict[str, Any]
    warnings: tuple[str, ...]

    def info(self) -> ModelInfo:
        return ModelInfo(
            name=self.spec.name,
            title=self.spec.title,
            group=self.spec.group,
            device=describe(self.device),
            classes=self.spec.classes,
            input_size=self.spec.input_size,
            channels=self.spec.channels,
            weights=self.weights,
            trained=self.trained,
            accuracy=self.card.get("test_accuracy"),
            parameters=sum(p.numel() for p in self.model.parameters()),
            warnings=self.warnings,
        )


def default_weights_path(spec: ModelSpec) -> Path | None:
    return assets_dir() / spec.weights_file if spec.weights_file else None


def load_model(
    name: str | ModelSpec,
    device: torch.device | str = "cpu",
    weights: str | Path | None = None,
    *,
    strict: bool = False,
) -> LoadedModel:
    """Build ``name`` on ``device`` with ``weights`` (default: the shipped file).

    With ``strict=False`` a missing or bad weights file leaves the model untrained and says
    so in ``warnings``; with ``strict=True`` it raises WeightsError.
    """
    spec = get_spec(name) if isinstance(name, str) else name
    device = torch.device(device)
    model = spec.build()
    path = Path(weights) if weights is not None else default_weights_path(spec)
    warnings: list[str] = []
    card: dict[str, Any] = {}
    source, trained = "untrained weights", False
    if path is None:
        warnings.append(f"{spec.name} ships no trained weights: showing untrained weights")
    else:
        try:
            apply_state_dict(model, read_state_dict(path), path.name)
            source, trained = str(path), True
            card = read_card(path)
        except WeightsError as exc:
            if strict:
                raise
            warnings.append(f"{exc} - showing untrained weights")
    model.eval().requires_grad_(False).to(device)
    return LoadedModel(spec, model, device, source, trained, card, tuple(warnings))
