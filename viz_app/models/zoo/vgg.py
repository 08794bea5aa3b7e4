"""VGG for 32x32 digits: blocks of 3x3 pad-1 convolutions closed by 2x2 max pooling, and its BatchNorm variant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import torch
from torch import nn

from viz_app.models.registry import ModelSpec, WeightsSpec, register_model
from viz_app.models.zoo.recipes import AUGMENT_STRONG, RECIPE

# Channels per 3x3 convolution, "M" closes a block with 2x2 max pooling (VGG's configuration lists).
VGG_CONFIG: tuple[int | str, ...] = (8, "M", 16, 16, "M", 32, 32, "M")


class VGG(nn.Module):
    """Convolution blocks from a configuration list, then three fully connected layers."""

    def __init__(self, config: Sequence[int | str] = VGG_CONFIG, batch_norm: bool = False, num_classes: int = 10) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        layers: list[nn.Module] = []
        channels = 1
        for item in config:
            if item == "M":
                layers.append(nn.MaxPool2d(2))  # halves H and W
                blocks.append(nn.Sequential(*layers))
                layers = []
                continue
            layers.append(nn.Conv2d(channels, int(item), 3, padding=1, bias=not batch_norm))
            if batch_norm:
                layers.append(nn.BatchNorm2d(int(item)))
            layers.append(nn.ReLU(inplace=True))
            channels = int(item)
        # block1: N x 8 x 16 x 16, block2: N x 16 x 8 x 8, block3: N x 32 x 4 x 4
        self.features = nn.Sequential(*blocks)
        self.classifier = nn.Sequential(
            nn.Flatten(),  # N x 512
            nn.Linear(channels * 4 * 4, 128),
            nn.ReLU(inplace=True),
            nn.Dropout(0.3),
            nn.Linear(128, 128),
            nn.ReLU(inplace=True),
            nn.Dropout(0.3),
            nn.Linear(128, num_classes),  # N x 10
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def vgg() -> VGG:
    """The zoo's VGG: stacked 3x3 convolutions, no BatchNorm."""
    return VGG(VGG_CONFIG, batch_norm=False)


def vgg_bn() -> VGG:
    """The same VGG with BatchNorm after every convolution (the lecture's BN comparison)."""
    return VGG(VGG_CONFIG, batch_norm=True)


def _layers(bn: bool) -> tuple[tuple[str, str], ...]:
    first = ("features.0.2", "conv1 + ReLU") if bn else ("features.0.1", "conv1 + ReLU")
    return (
        first,
        ("features.0", "block 1 (pool)"),
        ("features.1", "block 2 (pool)"),
        ("features.2", "block 3 (pool)"),
        ("classifier.2", "fc1"),
        ("classifier.5", "fc2"),
        ("classifier.7", "Output"),
    )


register_model(
    ModelSpec(
        name="vgg",
        title="VGG (3x3 conv blocks, max pooling)",
        builder=vgg,
        family="VGG",
        layers=_layers(False),
        weights=WeightsSpec(file="vgg.pt"),
        recipe=replace(RECIPE, epochs=12, lr=3e-3),
    )
)

register_model(
    ModelSpec(
        name="vgg_bn",
        title="VGG with BatchNorm",
        builder=vgg_bn,
        family="BatchNorm",
        layers=_layers(True),
        weights=WeightsSpec(file="vgg_bn.pt"),
        recipe=replace(RECIPE, augment=AUGMENT_STRONG),
    )
)
