"""The space-displacement network (SDNN): LeNet-5 with convolutions for its dense layers.

Matan, Burges, LeCun and Denker (1992) and LeCun et al. (1998, section VII) replicate a
digit recogniser along the input by making its fully connected layers convolutions: C5 is
a 5x5 convolution over S4, F6 and the output are 1x1 convolutions. A 32-pixel-high strip
of any width W >= 32 then gives one output vector per horizontal position,

    T = (W - 30) // 2 columns, column t seeing input x in [2t, 2t + 32),

so a 32x32 digit gives exactly one column (T = 1) and a wide strip scans the recogniser
along the string in one pass, sharing all the computation of overlapping windows. The two
poolings would put the columns 4 pixels apart; S4 pools overlapping pairs of columns
(stride 1 across) and C5 reads every other one (dilation 2), which computes the same
windows at every 2 pixels: close digits, a doubled "11" written tight, get room for a
blank column between them. With ``scan_stride(4)`` the same weights give the plain
4-pixel scan (the first stage of training). Each
column scores the ten digits and an eleventh class, "no digit centred here" (the blank),
and the string is read by decoding the columns (``viz_app.models.decode``).
"""

from __future__ import annotations

import torch
from torch import nn

from viz_app.inputs.strip import FIELD, STRIDE  # the strip's geometry is the network's: 32-pixel columns, 2 apart
from viz_app.models.recipes import Distortion, StringRecipe, StringStage
from viz_app.models.registry import MNIST_CLASSES, ModelSpec, WeightsSpec, register_model
from viz_app.records.frames import Head

BLANK = 10  # the eleventh output: no digit centred in this column


MILD = Distortion(degrees=4.0, scale=(0.92, 1.05), shear=0.1, thickness=(0, 0))  # the last stages' distortions


def columns(width: int) -> int:
    """How many output columns a strip ``width`` pixels wide gives (0 below 32)."""
    return max(0, (width - FIELD) // STRIDE + 1)


class SDNN(nn.Module):
    """C1-S2-C3-S4-C5-F6-output, all convolutional: N x 1 x 32 x W -> N x 11 x T logits."""

    def __init__(self, c1: int = 20, c3: int = 48, c5: int = 192, f6: int = 128, num_classes: int = 11) -> None:
        super().__init__()
        self.c1 = nn.Sequential(nn.Conv2d(1, c1, kernel_size=5), nn.ReLU())  # N x c1 x 28 x (W-4)
        self.s2 = nn.MaxPool2d(2)  # N x c1 x 14 x (W-4)/2
        self.c3 = nn.Sequential(nn.Conv2d(c1, c3, kernel_size=5), nn.ReLU())  # N x c3 x 10 x .
        self.s4 = nn.MaxPool2d(2, stride=(2, 1))  # N x c3 x 5 x . (overlapping pairs across)
        self.c5 = nn.Sequential(nn.Conv2d(c3, c5, kernel_size=5, dilation=(1, 2)), nn.ReLU())  # N x c5 x 1 x T
        self.f6 = nn.Sequential(nn.Conv2d(c5, f6, kernel_size=1), nn.ReLU())  # N x f6 x 1 x T
        self.output = nn.Conv2d(f6, num_classes, kernel_size=1)  # N x 11 x 1 x T

    def scan_stride(self, stride: int) -> None:
        """Output columns every ``stride`` (2 or 4) input pixels; the weights stay the same."""
        if stride not in (2, 4):
            raise ValueError(f"the scan stride is 2 or 4 pixels, got {stride}")
        conv = self.c5[0]
        assert isinstance(conv, nn.Conv2d)
        self.s4.stride = (2, stride // 2)
        conv.dilation = (1, 4 // stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-2] != FIELD or x.shape[-1] < FIELD:
            raise ValueError(f"the SDNN reads strips {FIELD} pixels high and at least {FIELD} wide, got {tuple(x.shape[-2:])}")
        x = self.s2(self.c1(x))
        x = self.s4(self.c3(x))
        return self.output(self.f6(self.c5(x))).squeeze(2)  # N x 11 x T


SDNN_SPEC = register_model(
    ModelSpec(
        name="sdnn",
        title="SDNN: LeNet-5 scanned along a string (1992/1998)",
        builder=SDNN,
        family="SDNN",
        classes=(*MNIST_CLASSES, "blank"),
        head=Head.STRING,
        layers=(
            ("c1", "C1"),
            ("s2", "S2"),
            ("c3", "C3"),
            ("s4", "S4"),
            ("c5", "C5"),
            ("f6", "F6"),
            ("output", "Output"),
        ),
        weights=WeightsSpec(file="sdnn.pt"),
        # `cnn-viz train sdnn` trains on composed strings with CTC (viz_app.training.train_strings).
        recipe=StringRecipe(
            epochs=6,
            steps_per_epoch=1000,
            batch_size=48,
            lr=3e-3,
            weight_decay=1e-4,
            digits_per_string=(0, 6),
            touching_share=0.45,
            augment=Distortion(degrees=8.0, scale=(0.85, 1.1), shear=0.25, thickness=(-1, 1)),
            fine=(
                StringStage(epochs=12, lr=2e-3),
                StringStage(epochs=10, lr=1e-3),
                StringStage(epochs=8, lr=5e-4),
                StringStage(epochs=8, lr=3e-4),
                # Then milder distortions, nearer the clean digits read at test time, ...
                StringStage(epochs=8, lr=3e-4, augment=MILD),
                # ... and the weights averaged four times an epoch at a constant rate (SWA).
                StringStage(epochs=6, lr=2e-4, augment=MILD, average=4),
            ),
        ),
    )
)
