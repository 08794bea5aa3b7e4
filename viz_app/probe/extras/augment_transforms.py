"""The lecture's data augmentations as torchvision.transforms.v2 transforms, applied with fixed seeds.

Each augmentation works on the input in pixel space (0..1, before normalisation). Variant ``i``
is drawn with the global RNG seeded to ``seed + i`` inside ``torch.random.fork_rng`` (the
caller's RNG is left alone): each can be reproduced alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn
from torchvision.transforms import v2

from viz_app.records.panels import AUGMENTATIONS, DEFAULT_STRENGTH

BILINEAR = v2.InterpolationMode.BILINEAR


def _make(name: str, s: float, size: tuple[int, int]) -> nn.Module:
    """The transform ``name`` at strength ``s`` (0: no change, 1: strong) for images of ``size``."""
    h, w = size
    if name == "flip":
        return v2.RandomHorizontalFlip(p=1.0 if s > 0 else 0.0)
    if name == "scale":
        return v2.RandomAffine(degrees=0.0, scale=(1.0 - 0.5 * s, 1.0 + 0.5 * s), interpolation=BILINEAR)
    if name == "rotation":
        return v2.RandomRotation(degrees=60.0 * s, interpolation=BILINEAR)
    if name == "intensity":
        return v2.ColorJitter(brightness=0.9 * s)
    if name == "contrast":
        return v2.ColorJitter(contrast=0.9 * s)
    if name == "crop+pad":
        return v2.RandomCrop((h, w), padding=round(0.25 * s * max(h, w)))
    if name == "noise":  # clipped with every variant afterwards
        return v2.GaussianNoise(sigma=0.5 * s, clip=False)
    if name == "translation":
        return v2.RandomAffine(degrees=0.0, translate=(0.3 * s, 0.3 * s), interpolation=BILINEAR)
    if name == "shear":
        return v2.RandomAffine(degrees=0.0, shear=(-40.0 * s, 40.0 * s, -40.0 * s, 40.0 * s), interpolation=BILINEAR)
    if name == "affine":  # LeCun's distortions: a little of everything at once
        return v2.RandomAffine(degrees=20.0 * s, translate=(0.15 * s, 0.15 * s), scale=(1 - 0.3 * s, 1 + 0.3 * s), shear=20.0 * s, interpolation=BILINEAR)
    if name == "perspective":
        return v2.RandomPerspective(distortion_scale=0.7 * s, p=1.0)
    if name == "elastic":  # Simard et al. 2003: alpha 34, sigma 4 on 28x28 digits
        return v2.ElasticTransform(alpha=80.0 * s * max(h, w) / 32, sigma=4.0 * max(h, w) / 32)
    raise KeyError(f"unknown augmentation {name!r}; known: {', '.join(AUGMENTATIONS)}")


def build_transforms(names: Sequence[str], strength: dict[str, float], size: tuple[int, int]) -> list[tuple[str, nn.Module]]:
    """(name, transform) for each augmentation, at its strength (default 0.5, clipped to 0..1)."""
    out = []
    for name in names:
        s = float(strength.get(name, DEFAULT_STRENGTH))
        out.append((name, _make(name, min(1.0, max(0.0, s)), size)))
    return out


def augment_batch(pixels: torch.Tensor, transforms: Sequence[tuple[str, Callable]], seed: int) -> torch.Tensor:
    """C x H x W pixels in 0..1 -> N x C x H x W: each transform applied on its own, variant i with seed + i."""
    out = []
    with seeded(pixels.device) as reseed:
        for i, (_, transform) in enumerate(transforms):
            reseed(seed + i)
            out.append(transform(pixels).clamp(0.0, 1.0))
    return torch.stack(out)  # N x C x H x W


@contextmanager
def seeded(device: torch.device) -> Iterator[Callable[[int], None]]:
    """fork_rng around a block; yields a function that seeds the CPU (and the CUDA device) RNG."""
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):

        def reseed(seed: int) -> None:
            torch.default_generator.manual_seed(seed)  # torch.manual_seed also seeds every backend: slow
            if device.type == "cuda":
                torch.cuda.manual_seed(seed)

        yield reseed


def to_uint8(pixels: torch.Tensor) -> torch.Tensor:
    """N x C x H x W in 0..1 -> N x H x W (gray) or N x H x W x 3 uint8."""
    u8 = pixels.mul(255.0).round_().to(torch.uint8)
    return u8[:, 0] if u8.shape[1] == 1 else u8.permute(0, 2, 3, 1).contiguous()
