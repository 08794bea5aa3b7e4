"""Accuracy on the MNIST test digits at every step of the demo's scenes (`cnn-viz robustness`).

What the 1995 demo showed one digit at a time, measured on all of them: the share of test
digits still read correctly when shifted by k pixels (without re-centring), turned by d
degrees, scaled, squeezed, thickened or buried in noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from viz_app.errors import UserError
from viz_app.models.inputs import digits_to_tensor
from viz_app.models.registry import ModelSpec
from viz_app.sources.scenes import Scene, get_scene
from viz_app.training.mnist import Digits


@dataclass(frozen=True)
class Step:
    """One value of a scene's parameter and how the model did there."""

    value: float
    accuracy: float  # share of digits whose prediction is their label
    true_probability: float  # mean probability the model gives the true class


@dataclass(frozen=True)
class Curve:
    """A model's accuracy along one scene."""

    model: str
    scene: str
    parameter: str
    n: int
    steps: tuple[Step, ...]


def transformed(digits: np.ndarray, scene: Scene, value: float, seed: int = 0) -> np.ndarray:
    """Every digit of an N x 28 x 28 batch through ``scene`` at ``value`` (noise seeded per digit)."""
    return np.stack([scene.apply(d, value, seed + i) for i, d in enumerate(digits)])


@torch.inference_mode()
def step_scores(model: nn.Module, spec: ModelSpec, images: np.ndarray, labels: np.ndarray, device: torch.device,
                batch_size: int = 1000) -> tuple[float, float]:
    """(accuracy, mean true-class probability) of ``model`` on already transformed digits."""
    correct, true_prob = 0, 0.0
    for start in range(0, len(labels), batch_size):
        x = digits_to_tensor(images[start : start + batch_size], spec, device)
        logits = model(x).float()
        if not torch.isfinite(logits).all():
            raise UserError(f"{spec.title} gives NaN or infinite scores on these digits; its weights or its forward are broken")
        probs = torch.softmax(logits, dim=1).cpu()
        y = torch.as_tensor(labels[start : start + batch_size])
        correct += int((probs.argmax(1) == y).sum())
        true_prob += float(probs.gather(1, y[:, None]).sum())
    return correct / len(labels), true_prob / len(labels)


def robustness(model: nn.Module, spec: ModelSpec, digits: Digits, scene: Scene, device: torch.device,
               values: Sequence[float] | None = None) -> Curve:
    """``model``'s accuracy on ``digits`` at each value of ``scene`` (all its steps by default)."""
    if spec.input.channels != 1 or len(spec.classes) != 10:
        raise ValueError(f"{spec.name} does not read MNIST digits (it takes {spec.input.channels} channels, {len(spec.classes)} classes)")
    if len(digits) == 0:
        raise ValueError("no digits to measure on")
    model.eval()
    steps = []
    for value in values if values is not None else scene.values:
        accuracy, true_probability = step_scores(model, spec, transformed(digits.images, scene, value), digits.labels, device)
        steps.append(Step(float(value), round(accuracy, 4), round(true_probability, 4)))
    return Curve(spec.name, scene.name, scene.parameter, len(digits), tuple(steps))


def format_table(curves: Sequence[Curve]) -> str:
    """Curves of one scene (one column per model) as a plain-text table."""
    scene = get_scene(curves[0].scene)
    head = f"{scene.name} ({scene.parameter})"
    lines = [f"{head:<34}" + "".join(f"{c.model:>14}" for c in curves)]
    for i, step in enumerate(curves[0].steps):
        lines.append(f"{scene.label(step.value):>34}" + "".join(f"{c.steps[i].accuracy:>14.2%}" for c in curves))
    return "\n".join(lines)


def run_robustness(models: Sequence[str], scenes: Sequence[str], data: str | None, as_json: bool) -> int:
    """`cnn-viz robustness`: every model's accuracy at every step of every scene, on the
    10,000 MNIST test digits; one table per scene (or JSON). Returns the exit status."""
    import json
    from dataclasses import asdict

    from viz_app.models import get_spec, load_model
    from viz_app.training.mnist import load_split

    chosen = [get_scene(name) for name in scenes]
    for spec in (get_spec(name) for name in models):
        if spec.input.channels != 1 or len(spec.classes) != 10:
            raise ValueError(f"{spec.name} does not read MNIST digits: choose a model of the MNIST zoo")
    loaded = [load_model(name, "cpu", strict=True) for name in models]
    digits = load_split("test", data)
    cpu = torch.device("cpu")
    report: dict[str, list[Curve]] = {}
    for scene in chosen:
        report[scene.name] = [robustness(m.model, m.spec, digits, scene, cpu) for m in loaded]
        if not as_json:
            print(format_table(report[scene.name]) + "\n", flush=True)
    if as_json:
        print(json.dumps({name: [asdict(c) for c in curves] for name, curves in report.items()}, indent=1))
    return 0
