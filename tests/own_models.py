"""A user's own model file, its labels and weights, written the way a student would write them."""

from __future__ import annotations

from pathlib import Path

import torch

NET = '''
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),   # 6 x 12 x 12
            nn.Conv2d(6, 12, 5), nn.ReLU(), nn.MaxPool2d(2),  # 12 x 4 x 4
        )
        self.head = nn.Linear(12 * 4 * 4, 3)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


def build():
    torch.manual_seed(0)
    return Net()
'''
LABELS = ["circle", "square", "triangle"]


def write_net(folder: Path, body: str = NET, name: str = "net.py") -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def write_labels(folder: Path, labels: list[str] = LABELS) -> Path:
    path = folder / "labels.txt"
    path.write_text("\n".join(labels) + "\n", encoding="utf-8")
    return path


def write_weights(folder: Path, model: torch.nn.Module, seed: int = 1) -> Path:
    """Weights that differ from build()'s own, so that loading them shows."""
    torch.manual_seed(seed)
    state = {k: torch.randn_like(v) * 0.3 for k, v in model.state_dict().items()}
    path = folder / "net.pt"
    torch.save(state, path)
    return path
