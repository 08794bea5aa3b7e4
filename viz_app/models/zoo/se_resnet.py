"""SE-ResNet for 32x32 digits: the ResNet of resnet.py with squeeze-excitation in every
block (Hu, Shen, Sun 2017), built from torchvision's SqueezeExcitation."""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from viz_app.models.registry import ModelSpec, WeightsSpec, register_model
from viz_app.models.zoo.blocks import basic_block, squeeze_excitation
from viz_app.models.zoo.recipes import RECIPE
from viz_app.models.zoo.resnet import ResNet, projection

# In every block, the module whose output is the channel gate (N x C x 1 x 1, after the sigmoid).
SE_GATE = "se.scale_activation"


class SEBasicBlock(nn.Module):
    """A basic residual block whose residual branch is rescaled per channel before the sum.

    Its layers are those of torchvision's BasicBlock, under the same names (so weights keep
    their keys), taken from one built when the model is (torchvision is not imported before).
    """

    conv1: nn.Conv2d
    bn1: nn.BatchNorm2d
    relu: nn.ReLU
    conv2: nn.Conv2d
    bn2: nn.BatchNorm2d

    def __init__(self, cin: int, cout: int, stride: int = 1, reduction: int = 4) -> None:
        super().__init__()
        downsample = projection(cin, cout, stride)
        block = basic_block(cin, cout, stride, downsample)
        for name, module in block.named_children():  # conv1, bn1, relu, conv2, bn2, downsample
            self.add_module(name, module)
        self.downsample = downsample  # None where the shortcut is the identity
        self.se = squeeze_excitation(cout, max(4, cout // reduction))  # se.scale_activation: the sigmoid gate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.se(self.bn2(self.conv2(out)))  # N x C x H x W, each channel times its gate
        return self.relu(out + identity)


def se_resnet() -> ResNet:
    """The zoo's ResNet with a squeeze-and-excitation gate in every block."""
    return ResNet(
        [
            [SEBasicBlock(12, 12)],  # N x 12 x 16 x 16
            [SEBasicBlock(12, 24, 2)],  # N x 24 x 8 x 8
            [SEBasicBlock(24, 48, 2)],  # N x 48 x 4 x 4
        ],
        channels=48,
        stem=12,
    )


def se_gate_paths(model: nn.Module) -> list[str]:
    """Module paths of every block's SE gate, in forward order (for the SE panel)."""
    return [f"{name}.{SE_GATE}" for name, m in model.named_modules() if isinstance(m, SEBasicBlock)]


register_model(
    ModelSpec(
        name="se_resnet",
        title="SE-ResNet (squeeze-excitation in every block)",
        builder=se_resnet,
        family="SENet",
        layers=(
            ("stem", "stem"),
            ("layer1", "layer1"),
            ("layer1.0.se", "layer1 SE-rescaled residual"),
            ("layer2", "layer2 (stride 2)"),
            ("layer3", "layer3 (stride 2)"),
            ("fc", "Output"),
        ),
        weights=WeightsSpec(file="se_resnet.pt"),
        recipe=replace(RECIPE, epochs=6),
    )
)
