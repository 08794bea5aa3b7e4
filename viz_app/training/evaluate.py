"""Accuracy of a model on a digit set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from viz_app.errors import UserError
from viz_app.models.inputs import digits_to_tensor
from viz_app.models.registry import ModelSpec
from viz_app.training.mnist import Digits


@dataclass(frozen=True)
class Evaluation:
    """How a model did on a set of digits, with its prediction for each."""

    accuracy: float
    n: int
    errors: int
    predictions: np.ndarray


@torch.inference_mode()
def evaluate(model: nn.Module, spec: ModelSpec, digits: Digits, device: torch.device, batch_size: int = 1000) -> Evaluation:
    """Score ``model`` on ``digits``, prepared as ``spec`` says (the figure a model card reports)."""
    model.eval()
    predictions = []
    for start in range(0, len(digits), batch_size):
        x = digits_to_tensor(digits.images[start : start + batch_size], spec, device)
        out = model(x)
        if not torch.isfinite(out).all():
            last = start + len(x) - 1
            raise UserError(f"{spec.title} gives NaN or infinite scores on digits {start:,} to {last:,}; its weights or its forward are broken")
        if out.ndim == 3:  # a string reader (N x classes x T): its one column on a lone digit, blank (the last class) left out
            out = out[:, : len(spec.classes) - 1, 0]
        predictions.append(out.argmax(1).cpu())
    pred = torch.cat(predictions).numpy()
    correct = int((pred == digits.labels).sum())
    return Evaluation(correct / len(digits), len(digits), len(digits) - correct, pred)
