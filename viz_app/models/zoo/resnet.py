"""ResNet for 32x32 digits: torchvision's basic residual blocks, identity and 1x1 projection
shortcuts, stride-2 downsampling (He, Zhang, Ren, Sun 2015)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from viz_app.models.registry import ModelSpec, WeightsSpec, register_model
from viz_app.models.zoo import blocks
from viz_app.models.zoo.recipes import RECIPE


def projection(cin: int, cout: int, stride: int) -> nn.Module | None:
    """The 1x1 convolution + BatchNorm shortcut where a block changes shape, else None (identity)."""
    if stride == 1 and cin == cout:
        return None
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))


def basic_block(cin: int, cout: int, stride: int = 1) -> nn.Module:
    """Two 3x3 convolutions with a shortcut (projected where the shape changes)."""
    return blocks.basic_block(cin, cout, stride, projection(cin, cout, stride))


class ResNet(nn.Module):
    """Stem (3x3 conv + 2x2 max pooling to 16x16), residual stages, global pooling, fc."""

    def __init__(self, stages: Sequence[Sequence[nn.Module]], channels: int, stem: int = 16, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(blocks.conv_norm_act(1, stem, 3), nn.MaxPool2d(2))  # N x stem x 16 x 16
        self.layers = len(stages)
        for i, stage in enumerate(stages, start=1):
            self.add_module(f"layer{i}", nn.Sequential(*stage))
        self.avgpool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())  # N x channels
        self.fc = nn.Linear(channels, num_classes)  # N x 10

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for i in range(1, self.layers + 1):
            x = getattr(self, f"layer{i}")(x)
        return self.fc(self.avgpool(x))


def resnet() -> ResNet:
    """The zoo's small ResNet for 32x32 digits."""
    return ResNet(
        [
            [basic_block(12, 12)],  # N x 12 x 16 x 16, identity shortcut
            [basic_block(12, 24, 2)],  # N x 24 x 8 x 8, projection shortcut
            [basic_block(24, 48, 2)],  # N x 48 x 4 x 4
        ],
        channels=48,
        stem=12,
    )


register_model(
    ModelSpec(
        name="resnet",
        title="ResNet (basic residual blocks)",
        builder=resnet,
        family="ResNet",
        layers=(
            ("stem", "stem"),
            ("layer1", "layer1 (identity shortcut)"),
            ("layer2.0.downsample", "layer2 shortcut (1x1 projection)"),
            ("layer2", "layer2 (stride 2)"),
            ("layer3", "layer3 (stride 2)"),
            ("fc", "Output"),
        ),
        weights=WeightsSpec(file="resnet.pt"),
        recipe=RECIPE,
    )
)
