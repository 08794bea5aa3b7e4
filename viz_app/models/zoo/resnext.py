"""ResNeXt for 32x32 digits: torchvision's bottleneck blocks with a grouped 3x3 convolution
of cardinality 8 (Xie, Girshick, Dollar, Tu, He 2016)."""

from __future__ import annotations

from dataclasses import replace

from torch import nn

from viz_app.models.registry import ModelSpec, WeightsSpec, register_model
from viz_app.models.zoo.blocks import bottleneck
from viz_app.models.zoo.recipes import RECIPE
from viz_app.models.zoo.resnet import ResNet, projection

CARDINALITY = 8
EXPANSION = 4  # torchvision's Bottleneck.expansion: the block's output is 4x its planes


def resnext_block(cin: int, planes: int, stride: int = 1) -> nn.Module:
    """1x1 reduce to 2*planes -> grouped 3x3 (8 groups of planes/4 channels) -> 1x1 expand to 4*planes."""
    cout = planes * EXPANSION
    # torchvision's width = planes * base_width / 64 * groups; base_width 16 gives 8 groups of planes/4 channels.
    return bottleneck(cin, planes, stride, projection(cin, cout, stride), groups=CARDINALITY, base_width=16)


def resnext() -> ResNet:
    """The zoo's ResNeXt: ResNet blocks whose 3x3 convolutions are grouped (cardinality)."""
    return ResNet(
        [
            [resnext_block(16, 8)],  # N x 32 x 16 x 16 (grouped 3x3 on 16 channels)
            [resnext_block(32, 16, 2)],  # N x 64 x 8 x 8 (grouped 3x3 on 32 channels)
            [resnext_block(64, 32, 2)],  # N x 128 x 4 x 4 (grouped 3x3 on 64 channels)
        ],
        channels=32 * EXPANSION,
    )


register_model(
    ModelSpec(
        name="resnext",
        title=f"ResNeXt (grouped convolutions, cardinality {CARDINALITY})",
        builder=resnext,
        family="ResNeXt",
        layers=(
            ("stem", "stem"),
            ("layer1", "layer1"),
            ("layer2.0.conv2", "layer2 grouped 3x3 (8 groups)"),
            ("layer2", "layer2 (stride 2)"),
            ("layer3", "layer3 (stride 2)"),
            ("fc", "Output"),
        ),
        weights=WeightsSpec(file="resnext.pt"),
        recipe=replace(RECIPE, epochs=8),
    )
)
