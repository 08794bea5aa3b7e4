"""DenseNet for 32x32 digits: torchvision's dense blocks (every layer reads all earlier
maps) and transitions (1x1 compression + 2x2 average pooling), Huang et al. (2016)."""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from viz_app.models.registry import ModelSpec, WeightsSpec, register_model
from viz_app.models.zoo.blocks import conv_norm_act, dense_block, transition
from viz_app.models.zoo.recipes import RECIPE

GROWTH = 12
BLOCKS = (2, 3, 3)


class DenseNet(nn.Module):
    """Stem, dense block, transition, dense block, transition, dense block, BN-ReLU, pooling, fc."""

    def __init__(self, growth: int = GROWTH, blocks: tuple[int, ...] = BLOCKS, stem: int = 16, num_classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(conv_norm_act(1, stem, 3), nn.MaxPool2d(2))  # N x 16 x 16 x 16
        channels = stem
        for i, layers in enumerate(blocks, start=1):
            self.add_module(f"dense{i}", dense_block(layers, channels, growth))
            channels += layers * growth  # 16 + 2*12 = 40, then 20 + 36 = 56, then 28 + 36 = 64
            if i < len(blocks):
                self.add_module(f"transition{i}", transition(channels, channels // 2))  # halves C, H and W
                channels //= 2
        self.blocks = len(blocks)
        self.head = nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(channels, num_classes)  # N x 10

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for i in range(1, self.blocks + 1):
            x = getattr(self, f"dense{i}")(x)  # N x (C + layers * growth) x H x W
            if i < self.blocks:
                x = getattr(self, f"transition{i}")(x)
        return self.fc(self.head(x))


register_model(
    ModelSpec(
        name="densenet",
        title=f"DenseNet (dense blocks, growth {GROWTH})",
        builder=DenseNet,
        family="DenseNet",
        layers=(
            ("stem", "stem"),
            ("dense1", "dense block 1"),
            ("transition1", "transition 1"),
            ("dense2", "dense block 2"),
            ("transition2", "transition 2"),
            ("dense3", "dense block 3"),
            ("fc", "Output"),
        ),
        weights=WeightsSpec(file="densenet.pt"),
        recipe=replace(RECIPE, epochs=8),
    )
)
