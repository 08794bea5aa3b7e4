"""The augmentation grid of a small gray input as one sparse linear map, built once per setting."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.transforms import v2

from viz_app.probe.extras.augment_transforms import build_transforms, seeded


class LinearAugmenter:
    """All variants of a small gray input as one sparse linear map: clamp(M x + r * mean(x) + n).

    For fixed random parameters every augmentation here is linear in the image (then clipped).
    M is read off the seeded v2 transforms themselves, applied to the D basis images, and kept
    as K (index, weight) pairs per output pixel (4 for bilinear sampling): a frame costs one
    gather instead of N transform calls, with the images ``augment_batch`` gives for the seed.
    """

    MAX_PIXELS = 4096
    MAX_TAPS = 16  # more inputs per output pixel than this: not a sparse map, use the transforms

    def __init__(self, transforms: Sequence[tuple[str, nn.Module]], shape: tuple[int, int, int], seed: int, device: torch.device) -> None:
        c, h, w = shape
        d = c * h * w
        basis = torch.eye(d).view(d, c, h, w)
        zeros = torch.zeros(c, h, w)
        matrices, offsets, means = [], [], []
        with seeded(torch.device("cpu")) as reseed:
            for i, (_, t) in enumerate(transforms):
                reseed(seed + i)
                gain, mean_w, offset = 1.0, 0.0, torch.zeros(d)
                if isinstance(t, v2.GaussianNoise):
                    offset = t(zeros).reshape(d)
                    matrix = torch.eye(d)
                elif isinstance(t, v2.ColorJitter):
                    params = t.make_params([zeros])
                    if params["brightness_factor"] is not None:
                        gain = params["brightness_factor"]
                    if params["contrast_factor"] is not None:
                        gain, mean_w = params["contrast_factor"], 1.0 - params["contrast_factor"]
                    matrix = torch.eye(d) * gain
                else:
                    matrix = t(basis).reshape(d, d).T  # column k = the transform of basis image k
                matrices.append(matrix)
                offsets.append(offset)
                means.append(torch.full((d,), mean_w))
        taps = max(int((m != 0).sum(1).max()) for m in matrices)
        if taps > self.MAX_TAPS:
            raise ValueError(f"an augmentation mixes {taps} pixels per output pixel: not a sparse map")
        taps = max(taps, 1)
        index = [m.abs().topk(taps, dim=1).indices for m in matrices]  # each D x K: input pixel of each tap
        weights = torch.cat([m.gather(1, i) for m, i in zip(matrices, index)])  # (N*D) x K
        # Two more taps per output pixel: on mean(x) (input D) and on a constant 1 (input D + 1).
        extra = torch.tensor([d, d + 1]).expand(len(weights), 2)
        self.index = torch.cat([torch.cat(index), extra], dim=1).to(device)  # (N*D) x (K + 2)
        self.weights = torch.cat([weights, torch.cat(means)[:, None], torch.cat(offsets)[:, None]], dim=1).to(device)
        self.shape = (len(transforms), c, h, w)
        self._one = torch.ones(1, device=device)

    @classmethod
    def fits(cls, shape: tuple[int, int, int]) -> bool:
        return shape[0] == 1 and shape[0] * shape[1] * shape[2] <= cls.MAX_PIXELS

    def __call__(self, pixels: torch.Tensor) -> torch.Tensor:
        """C x H x W in 0..1 -> N x C x H x W."""
        flat = pixels.reshape(-1)  # D
        inputs = torch.cat([flat, flat.mean().reshape(1), self._one])[:, None]  # (D + 2) x 1
        out = F.embedding_bag(self.index, inputs, per_sample_weights=self.weights, mode="sum")  # (N*D) x 1
        return out.clamp_(0.0, 1.0).view(self.shape)


_LINEAR_MAPS: OrderedDict[tuple, LinearAugmenter] = OrderedDict()
_LINEAR_MAPS_KEPT = 8


def linear_augmenter(names: Sequence[str], strength: dict[str, float], shape: tuple[int, int, int], seed: int,
                     device: torch.device) -> LinearAugmenter:  # fmt: skip
    """The LinearAugmenter for these settings, built once (about 0.1 s for 13 variants of 32x32) and
    kept for the last few settings: the panel coming back into view, or a slider set back, costs nothing."""
    key = (tuple(names), tuple(sorted((k, float(v)) for k, v in strength.items())), shape, seed, str(device))
    found = _LINEAR_MAPS.get(key)
    if found is None:
        found = LinearAugmenter(build_transforms(names, strength, shape[1:]), shape, seed, device)
        _LINEAR_MAPS[key] = found
        while len(_LINEAR_MAPS) > _LINEAR_MAPS_KEPT:
            _LINEAR_MAPS.popitem(last=False)
    _LINEAR_MAPS.move_to_end(key)
    return found
