"""Inception-v3 for 32x32 digits: BatchNorm convolutions, 5x5 factorised into two 3x3,
a grid-reduction block, and 7x7 factorised into asymmetric 1x7 / 7x1 (Szegedy et al. 2015)."""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from viz_app.models.registry import ModelSpec, WeightsSpec, register_model
from viz_app.models.zoo.blocks import conv_norm_act
from viz_app.models.zoo.recipes import RECIPE


def bn_conv(cin: int, cout: int, kernel: int | tuple[int, int], stride: int = 1) -> nn.Sequential:
    """Conv (no bias) + BatchNorm + ReLU with "same" padding (for stride 1)."""
    k = (kernel, kernel) if isinstance(kernel, int) else kernel
    return conv_norm_act(cin, cout, k, stride=stride, padding=(k[0] // 2, k[1] // 2))


class InceptionA(nn.Module):
    """1x1 | 1x1-3x3 | 1x1-3x3-3x3 (the factorised 5x5) | avgpool-1x1."""

    def __init__(self, cin: int, c: int) -> None:
        super().__init__()
        self.branch1 = bn_conv(cin, c, 1)
        self.branch3 = nn.Sequential(bn_conv(cin, c, 1), bn_conv(c, c * 3 // 2, 3))
        self.branch3dbl = nn.Sequential(bn_conv(cin, c, 1), bn_conv(c, c * 3 // 2, 3), bn_conv(c * 3 // 2, c * 3 // 2, 3))
        self.branch_pool = nn.Sequential(nn.AvgPool2d(3, stride=1, padding=1), bn_conv(cin, c, 1))
        self.out_channels = c + 3 * c + c

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        paths = [self.branch1(x), self.branch3(x), self.branch3dbl(x), self.branch_pool(x)]
        return torch.cat(paths, dim=1)  # N x 5c x H x W


class ReductionB(nn.Module):
    """Grid reduction without a bottleneck: stride-2 3x3 | 1x1-3x3-stride-2 3x3 | max pooling."""

    def __init__(self, cin: int, c: int) -> None:
        super().__init__()
        self.branch3 = bn_conv(cin, c, 3, stride=2)
        self.branch3dbl = nn.Sequential(bn_conv(cin, c // 2, 1), bn_conv(c // 2, c // 2, 3), bn_conv(c // 2, c // 2, 3, stride=2))
        self.branch_pool = nn.MaxPool2d(3, stride=2, padding=1)
        self.out_channels = c + c // 2 + cin

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch3(x), self.branch3dbl(x), self.branch_pool(x)], dim=1)  # N x C' x H/2 x W/2


class InceptionC(nn.Module):
    """1x1 | 1x1-1x7-7x1 | 1x1-7x1-1x7-7x1-1x7 | avgpool-1x1: 7x7 receptive fields cheaply."""

    def __init__(self, cin: int, c7: int, cout: int) -> None:
        super().__init__()
        self.branch1 = bn_conv(cin, cout, 1)
        self.branch7 = nn.Sequential(bn_conv(cin, c7, 1), bn_conv(c7, c7, (1, 7)), bn_conv(c7, cout, (7, 1)))
        self.branch7dbl = nn.Sequential(
            bn_conv(cin, c7, 1), bn_conv(c7, c7, (7, 1)), bn_conv(c7, c7, (1, 7)),
            bn_conv(c7, c7, (7, 1)), bn_conv(c7, cout, (1, 7)),
        )  # fmt: skip
        self.branch_pool = nn.Sequential(nn.AvgPool2d(3, stride=1, padding=1), bn_conv(cin, cout, 1))
        self.out_channels = 4 * cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        paths = [self.branch1(x), self.branch7(x), self.branch7dbl(x), self.branch_pool(x)]
        return torch.cat(paths, dim=1)  # N x 4cout x H x W


class InceptionV3(nn.Module):
    """Stem, Inception-A at 16x16, reduction to 8x8, Inception-C at 8x8, reduction to 4x4, head."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(bn_conv(1, 12, 3), nn.MaxPool2d(2))  # N x 12 x 16 x 16
        self.mixed_a = InceptionA(12, 6)  # N x 30 x 16 x 16
        self.reduction_a = ReductionB(30, 24)  # N x 66 x 8 x 8
        self.mixed_c = InceptionC(66, 12, 16)  # N x 64 x 8 x 8
        self.reduction_b = ReductionB(64, 32)  # N x 112 x 4 x 4
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(112, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.reduction_a(self.mixed_a(self.stem(x)))
        x = self.reduction_b(self.mixed_c(x))
        return self.head(x)  # N x 10


register_model(
    ModelSpec(
        name="inception_v3",
        title="Inception-v3 (factorised and asymmetric convolutions, BatchNorm)",
        builder=InceptionV3,
        family="Inception",
        layers=(
            ("stem", "stem"),
            ("mixed_a", "Inception-A (two 3x3 for 5x5)"),
            ("reduction_a", "grid reduction 1"),
            ("mixed_c", "Inception-C (1x7 / 7x1)"),
            ("reduction_b", "grid reduction 2"),
            ("head", "Output"),
        ),
        weights=WeightsSpec(file="inception_v3.pt"),
        recipe=replace(RECIPE, epochs=6),
    )
)
