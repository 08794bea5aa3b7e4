"""LeNet-5 as published (LeCun, Bottou, Bengio, Haffner 1998): scaled tanh, trainable
subsampling, C3's partial connection table and Euclidean RBF outputs with fixed bitmaps."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from viz_app.models.recipes import AffineRange, ClassifierRecipe
from viz_app.models.registry import InputSpec, ModelSpec, WeightsSpec, register_model

# Which S2 maps each C3 map reads (the paper's Table I).
C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)  # fmt: skip

# The RBF prototypes: stylised 7-wide x 12-tall bitmaps of the digits, "#" = +1, "." = -1.
DIGIT_BITMAPS: tuple[tuple[str, ...], ...] = (
    ("..###..", ".#...#.", "#.....#", "#.....#", "#.....#", "#.....#",
     "#.....#", "#.....#", "#.....#", "#.....#", ".#...#.", "..###.."),
    ("...#...", "..##...", ".#.#...", "...#...", "...#...", "...#...",
     "...#...", "...#...", "...#...", "...#...", "...#...", ".#####."),
    (".#####.", "#.....#", "......#", "......#", ".....#.", "....#..",
     "...#...", "..#....", ".#.....", "#......", "#......", "#######"),
    (".#####.", "#.....#", "......#", "......#", "......#", "..####.",
     "......#", "......#", "......#", "......#", "#.....#", ".#####."),
    (".....#.", "....##.", "...#.#.", "..#..#.", ".#...#.", "#....#.",
     "#######", ".....#.", ".....#.", ".....#.", ".....#.", ".....#."),
    ("#######", "#......", "#......", "#......", "######.", "......#",
     "......#", "......#", "......#", "......#", "#.....#", ".#####."),
    ("..####.", ".#.....", "#......", "#......", "#......", "######.",
     "#.....#", "#.....#", "#.....#", "#.....#", "#.....#", ".#####."),
    ("#######", "......#", "......#", ".....#.", ".....#.", "....#..",
     "....#..", "...#...", "...#...", "..#....", "..#....", "..#...."),
    (".#####.", "#.....#", "#.....#", "#.....#", "#.....#", ".#####.",
     "#.....#", "#.....#", "#.....#", "#.....#", "#.....#", ".#####."),
    (".#####.", "#.....#", "#.....#", "#.....#", "#.....#", "#.....#",
     ".######", "......#", "......#", "......#", ".....#.", ".####.."),
)  # fmt: skip

PAPER_TEST_ERROR = {"without_distortions": 0.0095, "with_distortions": 0.008}


def bitmap_prototypes() -> torch.Tensor:
    """10 x 84 tensor of +-1: each digit's 7x12 bitmap read row by row."""
    rows = ["".join(bitmap) for bitmap in DIGIT_BITMAPS]
    assert all(len(r) == 84 for r in rows), "every bitmap is 12 rows of 7"
    return torch.tensor([[1.0 if c == "#" else -1.0 for c in r] for r in rows])


class ScaledTanh(nn.Module):
    """The paper's squashing function f(a) = 1.7159 tanh(2a/3)."""

    elementwise = True  # an activation: a unit's arithmetic shows its value after it

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 1.7159 * torch.tanh(x * (2.0 / 3.0))


class Subsampling(nn.Module):
    """S2/S4: the sum of each 2x2 block times a trainable coefficient plus a bias, per map."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.coefficient = nn.Parameter(torch.full((channels,), 0.25))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        summed = F.avg_pool2d(x, 2) * 4.0  # N x C x H/2 x W/2
        return summed * self.coefficient.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)

    def as_convolution(self) -> dict:
        """The same as a depthwise 2x2 convolution of stride 2 whose four weights are the coefficient (a unit's arithmetic)."""
        weight = self.coefficient.detach().view(-1, 1, 1, 1).expand(-1, 1, 2, 2)  # C x 1 x 2 x 2
        return {"weight": weight, "bias": self.bias.detach(), "stride": (2, 2), "groups": len(self.coefficient),
                "name": f"Subsampling({len(self.coefficient)}): 2x2 sum x coefficient + bias"}  # fmt: skip


class PartialConv(nn.Module):
    """C3: a 5x5 convolution where output map i reads only the input maps in table[i].

    Only the connected kernels are parameters (1,500 weights + 16 biases); they are
    scattered into a full 16 x 6 x 5 x 5 kernel for one conv2d call.
    """

    index: torch.Tensor  # buffer: where each connected kernel goes in the full kernel

    def __init__(self, table: tuple[tuple[int, ...], ...], in_channels: int, kernel_size: int = 5) -> None:
        super().__init__()
        self.out_channels, self.in_channels, self.kernel_size = len(table), in_channels, kernel_size
        self.table = table
        index = [o * in_channels + i for o, inputs in enumerate(table) for i in inputs]
        self.register_buffer("index", torch.tensor(index), persistent=False)
        fan_in = torch.tensor([len(table[o]) * kernel_size**2 for o, inputs in enumerate(table) for _ in inputs])
        bound = 1.0 / fan_in.float().sqrt()
        self.weight = nn.Parameter((torch.rand(len(index), kernel_size, kernel_size) * 2 - 1) * bound.view(-1, 1, 1))
        out_bound = torch.tensor([1.0 / math.sqrt(len(t) * kernel_size**2) for t in table])
        self.bias = nn.Parameter((torch.rand(len(table)) * 2 - 1) * out_bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.full_kernel(), self.bias)

    def full_kernel(self) -> torch.Tensor:
        """The connected kernels scattered into out x in x k x k, zeros where a map is not read."""
        k = self.kernel_size
        full = self.weight.new_zeros(self.out_channels * self.in_channels, k, k).index_copy(0, self.index, self.weight)
        return full.view(self.out_channels, self.in_channels, k, k)

    def as_convolution(self) -> dict:
        """A convolution that reads, for each output map, only the input maps of its row of the table (a unit's arithmetic)."""
        return {"weight": self.full_kernel().detach(), "bias": self.bias.detach(), "connected": self.table,
                "name": f"PartialConv({self.in_channels}, {self.out_channels}, kernel {self.kernel_size}x{self.kernel_size}, the paper's table)"}  # fmt: skip


class EuclideanRBF(nn.Module):
    """Output layer: minus the squared distance of F6 to each class's fixed bitmap prototype.

    The argmax is the class; the prototypes are a buffer, not trained.
    """

    prototypes: torch.Tensor  # buffer: 10 x 84

    def __init__(self, prototypes: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("prototypes", prototypes)  # 10 x 84

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return -(x.unsqueeze(1) - self.prototypes.unsqueeze(0)).pow(2).sum(-1)  # N x 10


class LeNet5_1998(nn.Module):
    """C1-S2-C3-S4-C5-F6-RBF, 60,000 trainable parameters, for 32x32 digits."""

    #: the constant j of the MAP criterion: a "rubbish class" whose penalty is fixed
    map_j: float = 10.0

    def __init__(self) -> None:
        super().__init__()
        self.c1 = nn.Sequential(nn.Conv2d(1, 6, 5), ScaledTanh())  # N x 6 x 28 x 28
        self.s2 = nn.Sequential(Subsampling(6), ScaledTanh())  # N x 6 x 14 x 14
        self.c3 = nn.Sequential(PartialConv(C3_TABLE, 6), ScaledTanh())  # N x 16 x 10 x 10
        self.s4 = nn.Sequential(Subsampling(16), ScaledTanh())  # N x 16 x 5 x 5
        self.c5 = nn.Sequential(nn.Conv2d(16, 120, 5), ScaledTanh())  # N x 120 x 1 x 1
        self.f6 = nn.Sequential(nn.Flatten(), nn.Linear(120, 84), ScaledTanh())  # N x 84
        self.output = EuclideanRBF(bitmap_prototypes())  # N x 10

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.s2(self.c1(x))
        x = self.s4(self.c3(x))
        return self.output(self.f6(self.c5(x)))

    def training_loss(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The paper's MAP criterion: y_D + log(e^-j + sum_i e^-y_i), y the squared distances.

        It pulls the right prototype's distance down and pushes the others up, so the RBF
        outputs cannot all collapse to small values.
        """
        rubbish = output.new_full((output.shape[0], 1), -self.map_j)
        return F.cross_entropy(torch.cat([output, rubbish], dim=1), target)

    def card_extras(self, test_accuracy: float) -> dict[str, Any]:
        """The paper's figures beside ours, for the model card."""
        error = 1.0 - test_accuracy
        return {
            "paper_test_error": PAPER_TEST_ERROR,
            "paper_comparison": (
                f"test error {error:.2%} here vs {PAPER_TEST_ERROR['without_distortions']:.2%} "
                f"(paper, no distortions) and {PAPER_TEST_ERROR['with_distortions']:.2%} (paper, with distortions)"
            ),
        }


register_model(
    ModelSpec(
        name="lenet5_1998",
        title="LeNet-5 as published in 1998 (tanh, RBF output)",
        builder=LeNet5_1998,
        family="LeNet",
        # The paper's input scaling: background -0.1, ink 1.175 ((x - 0.0784) / 0.7843, x in [0, 1]).
        input=InputSpec(mean=(0.0784,), std=(0.7843,)),
        layers=(
            ("c1", "C1"),
            ("s2", "S2"),
            ("c3", "C3"),
            ("s4", "S4"),
            ("c5", "C5"),
            ("f6", "F6"),
            ("output", "RBF output (-distance)"),
        ),
        weights=WeightsSpec(file="lenet5_1998.pt"),
        recipe=ClassifierRecipe(
            epochs=16, batch_size=128, lr=3e-3, pct_start=0.15, weight_decay=0.0, loss="MAP criterion (j = 10)",
            augment=AffineRange(degrees=8.0, translate=0.08, scale=(0.9, 1.1), shear=6.0),
        ),
    )
)
