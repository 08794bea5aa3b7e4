"""One uint8 image per layer, computed on the model's device.

Channels C x H x W are normalised, padded to rows x cols tiles and laid out with one
``view(...).permute(...).reshape(...)``; vectors become a 1 x K strip. Signed layers map
0 to the middle colour (for a diverging colour map), unsigned ones their range to 0..255.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from viz_app.records.frames import NormMode

EPS = 1e-8


def grid_shape(channels: int) -> tuple[int, int]:
    """(rows, cols) for a near-square arrangement of ``channels`` tiles."""
    cols = math.ceil(math.sqrt(channels))
    return math.ceil(channels / cols), cols


def as_maps(activation: torch.Tensor) -> torch.Tensor:
    """Drop the batch; C x 1 x 1 conv outputs become vectors (C,); values in float32 (an
    activation computed under bf16 / fp16 autocast is scaled to 0..255 at full precision)."""
    a = (activation[0] if activation.dim() > 1 else activation).float()
    if a.dim() == 3 and a.shape[1] == 1 and a.shape[2] == 1:
        a = a.flatten()
    elif a.dim() == 2:  # tokens x features or H x W: one map
        a = a.unsqueeze(0)
    elif a.dim() > 3:
        a = a.flatten(0, a.dim() - 3)
    return a


def normalise(
    a: torch.Tensor, mode: NormMode, signed: bool, fixed: tuple[float, float]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Map activations to 0..255 (float); returns (scaled, lo, hi) with lo, hi as 0-d tensors."""
    flat = a.reshape(a.shape[0], -1) if a.dim() == 3 else a.reshape(1, -1)
    if mode is NormMode.FIXED:
        lo = torch.full((), fixed[0], device=a.device)  # a fill on the device: no host-to-device copy per layer
        hi = torch.full((), fixed[1], device=a.device)
        lo_c, hi_c = lo.expand(flat.shape[0], 1), hi.expand(flat.shape[0], 1)
    elif mode is NormMode.PER_CHANNEL and a.dim() == 3:
        if signed:
            hi_c = flat.abs().amax(1, keepdim=True)
            lo_c = -hi_c
        else:
            lo_c, hi_c = flat.amin(1, keepdim=True), flat.amax(1, keepdim=True)
        lo, hi = lo_c.min(), hi_c.max()
    else:  # per layer (a strip is one channel, so per channel is per layer too)
        if signed:
            hi = flat.abs().max()
            lo = -hi
        else:
            lo, hi = flat.min(), flat.max()
        lo_c, hi_c = lo.expand(flat.shape[0], 1), hi.expand(flat.shape[0], 1)
    scaled = (flat - lo_c) / (hi_c - lo_c).clamp_min(EPS) * 255.0
    return scaled.clamp_(0, 255).reshape(a.shape), lo, hi


def tile(scaled: torch.Tensor, max_tile: int | None = None) -> tuple[torch.Tensor, tuple[int, int], tuple[int, int]]:
    """C x H x W (or K) values in 0..255 -> (uint8 image, (rows, cols), (tile_h, tile_w))."""
    if scaled.dim() == 1:  # N x K strip
        return scaled.round().to(torch.uint8).unsqueeze(0), (1, 1), (1, scaled.shape[0])
    c, h, w = scaled.shape
    if max_tile and max(h, w) > max_tile:
        f = max_tile / max(h, w)
        scaled = F.interpolate(scaled.unsqueeze(0), size=(max(1, round(h * f)), max(1, round(w * f))), mode="area")[0]
        h, w = scaled.shape[1:]
    rows, cols = grid_shape(c)
    if rows * cols > c:
        scaled = F.pad(scaled, (0, 0, 0, 0, 0, rows * cols - c))
    image = scaled.view(rows, cols, h, w).permute(0, 2, 1, 3).reshape(rows * h, cols * w)
    return image.round().to(torch.uint8), (rows, cols), (h, w)
