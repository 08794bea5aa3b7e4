"""AlexNet for 32x32 digits: five convolutions and three dense layers, ReLU, overlapping
max pooling and dropout, scaled down from Krizhevsky, Sutskever and Hinton (2012)."""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from viz_app.models.registry import ModelSpec, WeightsSpec, register_model
from viz_app.models.zoo.recipes import RECIPE


class AlexNet(nn.Module):
    """conv1-pool-conv2-pool-conv3-conv4-conv5-pool, then fc6-fc7-fc8 with dropout."""

    def __init__(self, num_classes: int = 10, dropout: float = 0.3) -> None:
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(inplace=True))  # N x 16 x 32 x 32
        self.pool1 = nn.MaxPool2d(3, stride=2, padding=1)  # overlapping pooling: N x 16 x 16 x 16
        self.conv2 = nn.Sequential(nn.Conv2d(16, 24, 3, padding=1), nn.ReLU(inplace=True))  # N x 24 x 16 x 16
        self.pool2 = nn.MaxPool2d(3, stride=2, padding=1)  # N x 24 x 8 x 8
        self.conv3 = nn.Sequential(nn.Conv2d(24, 32, 3, padding=1), nn.ReLU(inplace=True))  # N x 32 x 8 x 8
        self.conv4 = nn.Sequential(nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(inplace=True))  # N x 32 x 8 x 8
        self.conv5 = nn.Sequential(nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(inplace=True))  # N x 32 x 8 x 8
        self.pool5 = nn.MaxPool2d(3, stride=2, padding=1)  # N x 32 x 4 x 4
        self.fc6 = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(32 * 4 * 4, 256), nn.ReLU(inplace=True))
        self.fc7 = nn.Sequential(nn.Dropout(dropout), nn.Linear(256, 256), nn.ReLU(inplace=True))  # N x 256
        self.fc8 = nn.Linear(256, num_classes)  # N x 10

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(self.conv1(x))
        x = self.pool2(self.conv2(x))
        x = self.pool5(self.conv5(self.conv4(self.conv3(x))))
        return self.fc8(self.fc7(self.fc6(x)))


register_model(
    ModelSpec(
        name="alexnet",
        title="AlexNet (5 conv + 3 dense, dropout)",
        builder=AlexNet,
        family="AlexNet",
        layers=(
            ("conv1", "conv1"),
            ("conv2", "conv2"),
            ("conv3", "conv3"),
            ("conv4", "conv4"),
            ("conv5", "conv5"),
            ("fc6", "fc6"),
            ("fc7", "fc7"),
            ("fc8", "fc8 (output)"),
        ),
        weights=WeightsSpec(file="alexnet.pt"),
        recipe=replace(RECIPE, epochs=6, lr=2e-3),
    )
)
