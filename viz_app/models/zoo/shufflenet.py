"""ShuffleNet for 32x32 digits: 1x1 group convolutions with a channel shuffle between them and
a depthwise 3x3 (Zhang, Zhou, Lin, Sun 2017, v1 units), shuffle from torchvision."""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from viz_app.models.registry import ModelSpec, WeightsSpec, register_model
from viz_app.models.zoo.blocks import channel_shuffle, conv_norm_act
from viz_app.models.zoo.recipes import RECIPE

GROUPS = 4


class ShuffleUnit(nn.Module):
    """Group 1x1 -> shuffle -> depthwise 3x3 -> group 1x1; added to the input, or at stride 2
    concatenated with its 3x3 average pooling."""

    def __init__(self, cin: int, cout: int, stride: int, groups: int = GROUPS) -> None:
        super().__init__()
        mid = cout // 4
        branch_out = cout - cin if stride == 2 else cout
        first_groups = 1 if cin < 4 * groups * 2 else groups  # the first unit's input is too thin to split
        self.groups = first_groups
        self.compress = conv_norm_act(cin, mid, 1, groups=first_groups)
        self.depthwise = conv_norm_act(mid, mid, 3, stride=stride, groups=mid, activation_layer=None)
        self.expand = conv_norm_act(mid, branch_out, 1, groups=groups, activation_layer=None)
        self.shortcut = nn.AvgPool2d(3, stride=2, padding=1) if stride == 2 else None
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = channel_shuffle(self.compress(x), self.groups) if self.groups > 1 else self.compress(x)
        out = self.expand(self.depthwise(out))  # N x branch_out x H/stride x W/stride
        if self.shortcut is not None:
            return self.relu(torch.cat([self.shortcut(x), out], dim=1))  # N x cout x H/2 x W/2
        return self.relu(x + out)


def stage(cin: int, cout: int, units: int) -> nn.Sequential:
    """One stage: a unit that halves the size, then ``units - 1`` that keep it."""
    return nn.Sequential(ShuffleUnit(cin, cout, 2), *(ShuffleUnit(cout, cout, 1) for _ in range(units - 1)))


class ShuffleNet(nn.Module):
    """Stem at 32x32, three stages that each halve H and W, global pooling, fc."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = conv_norm_act(1, 16, 3)  # N x 16 x 32 x 32
        self.stage2 = stage(16, 64, 3)  # N x 64 x 16 x 16
        self.stage3 = stage(64, 128, 3)  # N x 128 x 8 x 8
        self.stage4 = stage(128, 256, 2)  # N x 256 x 4 x 4
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())  # N x 256
        self.fc = nn.Linear(256, num_classes)  # N x 10

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stage4(self.stage3(self.stage2(self.stem(x))))
        return self.fc(self.pool(x))


register_model(
    ModelSpec(
        name="shufflenet",
        title=f"ShuffleNet (group convolutions, channel shuffle, g = {GROUPS})",
        builder=ShuffleNet,
        family="ShuffleNet",
        layers=(
            ("stem", "stem"),
            ("stage2.0", "stage2.0 (stride 2)"),
            ("stage2", "stage2"),
            ("stage3.0", "stage3.0 (stride 2)"),
            ("stage3", "stage3"),
            ("stage4", "stage4"),
            ("fc", "Output"),
        ),
        weights=WeightsSpec(file="shufflenet.pt"),
        recipe=replace(RECIPE, epochs=7),
    )
)
