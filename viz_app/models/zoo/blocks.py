"""torchvision's building blocks for the zoo, imported when a model is built, not before.

Importing torchvision takes about a second (it imports every model family and torch's
compiler stack), and the window must show LeNet-5 within three seconds of start: the zoo
registers its models without it, and each builder reaches torchvision through these functions.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def conv_norm_act(cin: int, cout: int, kernel: int | tuple[int, int], **kwargs: Any) -> nn.Sequential:
    """torchvision's Conv2dNormActivation: a convolution (same padding), BatchNorm and ReLU."""
    from torchvision.ops import Conv2dNormActivation

    return Conv2dNormActivation(cin, cout, kernel, **kwargs)


def basic_block(cin: int, cout: int, stride: int, downsample: nn.Module | None) -> nn.Module:
    """torchvision's BasicBlock: two 3x3 convolutions and a shortcut."""
    from torchvision.models.resnet import BasicBlock

    return BasicBlock(cin, cout, stride, downsample=downsample)


def bottleneck(cin: int, planes: int, stride: int, downsample: nn.Module | None, **kwargs: Any) -> nn.Module:
    """torchvision's Bottleneck: 1x1 reduce, 3x3 (grouped with ``groups``), 1x1 expand (4x planes)."""
    from torchvision.models.resnet import Bottleneck

    return Bottleneck(cin, planes, stride, downsample, **kwargs)


def dense_block(layers: int, channels: int, growth: int) -> nn.Module:
    """torchvision's dense block: each of ``layers`` layers reads every earlier map."""
    from torchvision.models.densenet import _DenseBlock

    return _DenseBlock(layers, channels, bn_size=2, growth_rate=growth, drop_rate=0.0)


def transition(cin: int, cout: int) -> nn.Module:
    """torchvision's DenseNet transition: BN-ReLU, 1x1 compression, 2x2 average pooling."""
    from torchvision.models.densenet import _Transition

    return _Transition(cin, cout)


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """torchvision's ShuffleNet channel shuffle (the import is a dictionary lookup once made)."""
    from torchvision.models.shufflenetv2 import channel_shuffle as shuffle

    return shuffle(x, groups)


def squeeze_excitation(channels: int, squeezed: int) -> nn.Module:
    """torchvision's SqueezeExcitation: pool, 1x1 down, ReLU, 1x1 up, sigmoid gate."""
    from torchvision.ops import SqueezeExcitation

    return SqueezeExcitation(channels, squeezed)
