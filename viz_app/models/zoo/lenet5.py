"""LeNet-5 as a lecturer draws it today: the 1998 layer sizes with ReLU and max pooling."""

from __future__ import annotations

import torch
from torch import nn

from viz_app.models.recipes import AffineRange, ClassifierRecipe
from viz_app.models.registry import ModelSpec, WeightsSpec, register_model


class LeNet5(nn.Module):
    """C1-S2-C3-S4-C5-F6-output, 61,706 parameters, for 32x32 grayscale digits."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.c1 = nn.Sequential(nn.Conv2d(1, 6, kernel_size=5), nn.ReLU())  # N x 6 x 28 x 28
        self.s2 = nn.MaxPool2d(2)  # N x 6 x 14 x 14
        self.c3 = nn.Sequential(nn.Conv2d(6, 16, kernel_size=5), nn.ReLU())  # N x 16 x 10 x 10
        self.s4 = nn.MaxPool2d(2)  # N x 16 x 5 x 5
        self.c5 = nn.Sequential(nn.Conv2d(16, 120, kernel_size=5), nn.ReLU())  # N x 120 x 1 x 1
        self.f6 = nn.Sequential(nn.Flatten(), nn.Linear(120, 84), nn.ReLU())  # N x 84
        self.output = nn.Linear(84, num_classes)  # N x 10

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.s2(self.c1(x))
        x = self.s4(self.c3(x))
        return self.output(self.f6(self.c5(x)))


LENET5 = register_model(
    ModelSpec(
        name="lenet5",
        title="LeNet-5 (ReLU, max pooling)",
        builder=LeNet5,
        family="LeNet",
        layers=(
            ("c1", "C1"),
            ("s2", "S2"),
            ("c3", "C3"),
            ("s4", "S4"),
            ("c5", "C5"),
            ("f6", "F6"),
            ("output", "Output"),
        ),
        weights=WeightsSpec(file="lenet5.pt"),
        recipe=ClassifierRecipe(
            epochs=20, batch_size=128, lr=3e-3, weight_decay=1e-4,
            augment=AffineRange(degrees=10.0, translate=0.1, scale=(0.9, 1.1), shear=8.0),
        ),
    )
)
