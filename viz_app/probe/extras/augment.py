"""The current input under the lecture's data augmentations, classified in one batch (the "augment" extra).

Each augmentation is a torchvision.transforms.v2 transform on the input in pixel space
(0..1, before normalisation). Variant ``i`` is drawn with the global RNG seeded to ``seed + i``
inside ``torch.random.fork_rng`` (the caller's RNG is left alone): each can be reproduced alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.transforms import v2

from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.base import ExtraContext
from viz_app.probe.extras.se import hook_free_twin
from viz_app.records.panels import AUGMENTATIONS, DEFAULT_STRENGTH, AugmentRecord, AugmentVariant

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
    with _seeded(pixels.device) as reseed:
        for i, (_, transform) in enumerate(transforms):
            reseed(seed + i)
            out.append(transform(pixels).clamp(0.0, 1.0))
    return torch.stack(out)  # N x C x H x W


@contextmanager
def _seeded(device: torch.device) -> Iterator[Callable[[int], None]]:
    """fork_rng around a block; yields a function that seeds the CPU (and the CUDA device) RNG."""
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):

        def reseed(seed: int) -> None:
            torch.default_generator.manual_seed(seed)  # torch.manual_seed also seeds every backend: slow
            if device.type == "cuda":
                torch.cuda.manual_seed(seed)

        yield reseed


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
        with _seeded(torch.device("cpu")) as reseed:
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


def to_uint8(pixels: torch.Tensor) -> torch.Tensor:
    """N x C x H x W in 0..1 -> N x H x W (gray) or N x H x W x 3 uint8."""
    u8 = pixels.mul(255.0).round_().to(torch.uint8)
    return u8[:, 0] if u8.shape[1] == 1 else u8.permute(0, 2, 3, 1).contiguous()


class AugmentExtra:
    """Classifies the frame's input under each augmentation, in one batched forward.

    By default the variants ride along with the frame: a pre-hook on the model appends them
    to the frame's 1-image batch and a forward hook cuts their logits off again, so the model
    runs once per frame on 1 + N images and the pipeline still gets 1 x classes (the probe's
    captures then hold 1 + N rows, of which everything reads row 0). With ``ride_along``
    False, or for any other forward, ``compute`` classifies the N variants on a hook-free twin.

    params: ``names`` (subset and order of AUGMENTATIONS), ``strength`` ({name: 0..1}),
    ``seed`` (an int for reproducible variants; None or absent: a random seed; the random
    parameters are drawn once per extra, so the grid stays put while the input changes),
    ``ride_along`` (default True).
    """

    key = "augment"
    grad_at: str | None = None  # no gradient: the frame stays in inference mode

    def __init__(self, loaded: LoadedModel, params: dict[str, Any]) -> None:
        self.spec = loaded.spec
        self.model = hook_free_twin(loaded)
        names = list(params.get("names") or AUGMENTATIONS)
        strength = params.get("strength") or {}
        if not isinstance(strength, dict):
            raise ValueError("augmentation strength must be a mapping of name to 0..1")
        self.transforms = build_transforms(names, strength, self.spec.input_size)
        seed = params.get("seed")
        self.fixed = seed is not None
        self.seed = int(seed) if seed is not None else random.randrange(2**31 - 64)
        shape = (self.spec.channels, *self.spec.input_size)
        if LinearAugmenter.fits(shape):
            self._augment: Callable[[torch.Tensor], torch.Tensor] = LinearAugmenter(self.transforms, shape, self.seed, loaded.device)
        else:
            self._augment = lambda pixels: augment_batch(pixels, self.transforms, self.seed)
        self._mean = torch.tensor(self.spec.mean, device=loaded.device).view(-1, 1, 1)
        self._std = torch.tensor(self.spec.std, device=loaded.device).view(-1, 1, 1)
        self._riding: tuple[torch.Tensor, torch.Tensor] | None = None  # (frame input, variants) in flight
        self._rode: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None  # (input, variants, logits)
        self._model = loaded.model
        self._handles: list[Any] = []
        if params.get("ride_along", True):
            self.attach()

    def attach(self) -> None:
        """Put the ride-along hooks on the model (``close()`` takes them off)."""
        if not self._handles:
            self._handles = [
                self._model.register_forward_pre_hook(self._on_model_input),
                self._model.register_forward_hook(self._on_model_output, prepend=True),
            ]

    def pixels(self, x: torch.Tensor) -> torch.Tensor:
        """The first input of a normalised batch as C x H x W pixels in 0..1."""
        return (x[0] * self._std + self._mean).clamp(0.0, 1.0)

    def _on_model_input(self, module: nn.Module, inputs: tuple[Any, ...]) -> tuple[torch.Tensor] | None:
        x = inputs[0] if len(inputs) == 1 else None
        self._riding = None
        if not (isinstance(x, torch.Tensor) and x.dim() == 4 and x.shape[0] == 1 and torch.is_inference_mode_enabled()):
            return None
        batch = self._augment(self.pixels(x))  # N x C x H x W in 0..1
        self._riding = (x, batch)
        return (torch.cat([x, (batch - self._mean) / self._std]),)  # (1 + N) x C x H x W

    def _on_model_output(self, module: nn.Module, inputs: Any, output: Any) -> torch.Tensor | None:
        riding, self._riding = self._riding, None
        if riding is None or not isinstance(output, torch.Tensor) or output.shape[0] != 1 + len(riding[1]):
            return None
        self._rode = (riding[0], riding[1], output[1:])
        return output[:1]  # 1 x classes, as if the variants had never been there

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        """Device tensors: the original's and every variant's prediction, and the variants' pixels."""
        rode, self._rode = self._rode, None
        if rode is not None and rode[0] is ctx.x:
            _, batch, logits = rode
        else:
            batch = self._augment(self.pixels(ctx.x))  # N x C x H x W in 0..1
            logits = self.model((batch - self._mean) / self._std)
        probs = torch.softmax(logits.float(), dim=1)  # N x classes
        confidence, prediction = probs.max(dim=1)
        original = torch.stack([ctx.probabilities.max(), ctx.probabilities.argmax().float()])
        return [to_uint8(batch), confidence, prediction, original]

    def unpack(self, arrays: list[np.ndarray]) -> AugmentRecord:
        """The frame's AugmentRecord."""
        images, confidence, prediction, (orig_conf, orig_pred) = arrays
        variants = tuple(
            AugmentVariant(name, images[i], int(prediction[i]), float(confidence[i]), int(prediction[i]) != int(orig_pred))
            for i, (name, _) in enumerate(self.transforms)
        )
        return AugmentRecord(int(orig_pred), float(orig_conf), variants, self.spec.classes, self.seed, self.fixed)

    def close(self) -> None:
        """Take off the hooks the variants ride on."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._riding = self._rode = None
