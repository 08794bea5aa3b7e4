"""Random affine distortions for a whole batch at once, each sample with its own parameters.

torchvision's v2.RandomAffine draws one set of parameters per call, so a batch would be
distorted as a block; here every digit gets its own rotation, shift, scale and shear, in one
grid_sample on the batch's device (LeCun et al.'s "distortions").
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from viz_app.models.recipes import AffineRange

__all__ = ["AffineRange", "random_affine"]


def random_affine(x: torch.Tensor, rng: AffineRange, generator: torch.Generator | None = None) -> torch.Tensor:
    """Distort N x C x H x W images; the background (value at the border) stays background."""
    n = x.shape[0]

    def uniform(lo: float, hi: float) -> torch.Tensor:
        return torch.rand(n, generator=generator, device="cpu").mul_(hi - lo).add_(lo)

    angle = uniform(-rng.degrees, rng.degrees) * (math.pi / 180)
    shear = uniform(-rng.shear, rng.shear) * (math.pi / 180)
    scale = uniform(*rng.scale)
    tx, ty = uniform(-rng.translate, rng.translate) * 2, uniform(-rng.translate, rng.translate) * 2
    cos, sin, tan = torch.cos(angle), torch.sin(angle), torch.tan(shear)
    # Inverse map from output to input coordinates: (R * Shear * s)^-1, applied by affine_grid.
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = cos / scale
    theta[:, 0, 1] = (sin + cos * tan) / scale
    theta[:, 1, 0] = -sin / scale
    theta[:, 1, 1] = (cos - sin * tan) / scale
    theta[:, 0, 2] = tx
    theta[:, 1, 2] = ty
    grid = F.affine_grid(theta.to(x.device), list(x.shape), align_corners=False)
    background = x[:, :, 0, 0].reshape(n, -1, 1, 1)
    # Sample x - background with zero padding, so the padding is the image's own background.
    return F.grid_sample(x - background, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + background
