"""MobileNet for 32x32 digits: depthwise separable convolutions, a depthwise 3x3 then a
pointwise 1x1, each with BatchNorm and ReLU (Howard et al. 2017, v1)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

import torch
from torch import nn

from viz_app.models.registry import ModelSpec, WeightsSpec, register_model
from viz_app.models.zoo.blocks import conv_norm_act
from viz_app.models.zoo.recipes import RECIPE

# (output channels, stride) of each depthwise separable block.
BLOCKS: tuple[tuple[int, int], ...] = ((32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1))


def separable(cin: int, cout: int, stride: int) -> nn.Sequential:
    """Depthwise 3x3 (one filter per channel, H and W / stride) then pointwise 1x1 (cin -> cout)."""
    return nn.Sequential(
        OrderedDict(
            depthwise=conv_norm_act(cin, cin, 3, stride=stride, groups=cin),
            pointwise=conv_norm_act(cin, cout, 1),
        )
    )


class MobileNet(nn.Module):
    """Stem, six separable blocks (32x32 -> 4x4), global pooling, fc."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = conv_norm_act(1, 16, 3)  # N x 16 x 32 x 32
        blocks, cin = [], 16
        for cout, stride in BLOCKS:
            blocks.append(separable(cin, cout, stride))
            cin = cout
        # 0: N x 32 x 16 x 16, 2: N x 64 x 8 x 8, 4: N x 128 x 4 x 4
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())  # N x 128
        self.fc = nn.Linear(cin, num_classes)  # N x 10

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.blocks(self.stem(x))))


register_model(
    ModelSpec(
        name="mobilenet",
        title="MobileNet (depthwise separable convolutions)",
        builder=MobileNet,
        family="MobileNet",
        layers=(
            ("stem", "stem"),
            ("blocks.0.depthwise", "block 0 depthwise (stride 2)"),
            ("blocks.0", "block 0 pointwise"),
            ("blocks.1", "block 1"),
            ("blocks.3", "block 3"),
            ("blocks.5", "block 5"),
            ("fc", "Output"),
        ),
        weights=WeightsSpec(file="mobilenet.pt"),
        recipe=replace(RECIPE, epochs=6),
    )
)
