"""GoogLeNet for 32x32 digits: Inception blocks of four parallel paths (1x1, 1x1-3x3,
1x1-5x5, pool-1x1) concatenated, as in Szegedy et al. (2014). Each convolution is followed by
BatchNorm and ReLU as in torchvision's GoogLeNet; torchvision's own Inception block is not reused
because its "5x5" path is a 3x3 (kept there for weight compatibility)."""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from viz_app.models.registry import ModelSpec, WeightsSpec, register_model
from viz_app.models.zoo.blocks import conv_norm_act
from viz_app.models.zoo.recipes import RECIPE


def conv_bn_relu(cin: int, cout: int, kernel: int) -> nn.Sequential:
    """A convolution with same padding, BatchNorm and ReLU: the building brick of every path."""
    return conv_norm_act(cin, cout, kernel)  # conv (same padding) + BatchNorm + ReLU


class Inception(nn.Module):
    """Four paths over the same input, concatenated along channels (H and W unchanged)."""

    def __init__(self, cin: int, c1: int, c3r: int, c3: int, c5r: int, c5: int, pool: int) -> None:
        super().__init__()
        self.branch1 = conv_bn_relu(cin, c1, 1)
        self.branch3 = nn.Sequential(conv_bn_relu(cin, c3r, 1), conv_bn_relu(c3r, c3, 3))
        self.branch5 = nn.Sequential(conv_bn_relu(cin, c5r, 1), conv_bn_relu(c5r, c5, 5))
        self.branch_pool = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), conv_bn_relu(cin, pool, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        paths = [self.branch1(x), self.branch3(x), self.branch5(x), self.branch_pool(x)]
        return torch.cat(paths, dim=1)  # N x (c1 + c3 + c5 + pool) x H x W


class GoogLeNet(nn.Module):
    """Stem, an Inception block at 16x16, two at 8x8, one at 4x4, global pooling, dropout, fc."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(conv_bn_relu(1, 16, 3), nn.MaxPool2d(2))  # N x 16 x 16 x 16
        self.inception3a = Inception(16, 8, 12, 16, 4, 8, 8)  # N x 40 x 16 x 16
        self.pool3 = nn.MaxPool2d(2)  # N x 40 x 8 x 8
        self.inception4a = Inception(40, 24, 16, 32, 8, 16, 16)  # N x 88 x 8 x 8
        self.inception4b = Inception(88, 16, 16, 32, 8, 16, 16)  # N x 80 x 8 x 8
        self.pool4 = nn.MaxPool2d(2)  # N x 80 x 4 x 4
        self.inception5a = Inception(80, 32, 24, 48, 8, 16, 16)  # N x 112 x 4 x 4
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(112, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.inception3a(self.stem(x))
        x = self.inception4b(self.inception4a(self.pool3(x)))
        return self.head(self.inception5a(self.pool4(x)))  # N x 10


register_model(
    ModelSpec(
        name="googlenet",
        title="GoogLeNet (Inception v1 blocks)",
        builder=GoogLeNet,
        family="Inception",
        layers=(
            ("stem", "stem"),
            ("inception3a", "inception 3a"),
            ("inception4a", "inception 4a"),
            ("inception4b", "inception 4b"),
            ("inception5a", "inception 5a"),
            ("head", "Output"),
        ),
        weights=WeightsSpec(file="googlenet.pt"),
        recipe=replace(RECIPE, epochs=8),
    )
)
