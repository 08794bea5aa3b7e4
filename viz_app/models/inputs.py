"""From uint8 pixels to the normalised tensor a model was trained on (one place for both).

Which pixels a frame becomes is ``viz_app.inputs.frame``'s (no torch there); here they become tensors
on the device. ``InputError`` and ``network_pixels`` are re-exported for the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import torch
import torch.nn.functional as F

from viz_app.inputs.digit import FIELD
from viz_app.inputs.frame import InputError, digit_field, network_pixels, string_pixels
from viz_app.models.registry import ModelSpec
from viz_app.models.strings import normalise_strip
from viz_app.opencv import cv2
from viz_app.records.frames import Frame

__all__ = ["InputError", "digits_to_tensor", "frame_to_tensor", "input_pixels", "network_pixels", "normalise", "photo_to_tensor", "strip_to_tensor"]


def digits_to_tensor(
    digits: np.ndarray | torch.Tensor, spec: ModelSpec, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """N x 28 x 28 uint8 MNIST-style digits -> N x 1 x 32 x 32 float, padded and normalised."""
    x = torch.as_tensor(digits).to(device, non_blocking=True)
    if x.ndim == 2:
        x = x.unsqueeze(0)
    x = x.unsqueeze(1).float().div_(255.0)  # N x 1 x 28 x 28
    pad_h = spec.input.size[0] - x.shape[-2]
    pad_w = spec.input.size[1] - x.shape[-1]
    if pad_h or pad_w:
        x = F.pad(x, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))  # N x 1 x 32 x 32
    return normalise(x, spec)


def normalise(x: torch.Tensor, spec: ModelSpec) -> torch.Tensor:
    """(x - mean) / std with the spec's per-channel statistics; x in [0, 1]."""
    mean = torch.tensor(spec.input.mean, device=x.device).view(1, -1, 1, 1)
    std = torch.tensor(spec.input.std, device=x.device).view(1, -1, 1, 1)
    return (x - mean) / std


def input_pixels(x: torch.Tensor, spec: ModelSpec) -> torch.Tensor:
    """The first input of a normalised batch back in uint8 pixels: H x W, or H x W x 3."""
    mean = torch.tensor(spec.input.mean, device=x.device).view(-1, 1, 1)
    std = torch.tensor(spec.input.std, device=x.device).view(-1, 1, 1)
    pixels = (x[0] * std + mean).mul(255).clamp(0, 255).round().to(torch.uint8)  # C x H x W
    return pixels[0] if pixels.shape[0] == 1 else pixels.permute(1, 2, 0).contiguous()


def frame_to_tensor(image: np.ndarray, spec: ModelSpec, device: torch.device, centre: bool = True) -> tuple[torch.Tensor, bool]:
    """A source frame -> (1 x C x H x W normalised input, whether the frame was blank).

    Digit models get MNIST's centring and scaling of the ink (white on black); image models
    get the frame as RGB at their input size, through their weights' own preprocessing when
    they have published weights. A gray frame is ink from the pad: for an image model it is
    turned into dark ink on white paper, which looks more like a photo. ``centre=False`` takes
    a 28x28 digit as it is, where it is (the demo's translation must reach the network).
    """
    if spec.input.channels == 1:
        digit, blank = digit_field(image, centre)
        return digits_to_tensor(digit, spec, device), blank
    if spec.weights.transforms is not None:
        return photo_to_tensor(image, spec, device), not image.any()
    rgb = np.repeat(image[:, :, None], 3, axis=2) if image.ndim == 2 else image[:, :, :3]
    h, w = spec.input.size
    rgb = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
    x = torch.from_numpy(np.ascontiguousarray(rgb)).to(device).permute(2, 0, 1).unsqueeze(0).float().div_(255.0)
    return normalise(x, spec), not image.any()


def strip_to_tensor(frame: Frame, spec: ModelSpec, device: torch.device) -> tuple[torch.Tensor, bool]:
    """A frame for a model with a string head -> (1 x 1 x 32 x W normalised strip, whether it was
    blank); see ``viz_app.inputs.frame.string_pixels``."""
    pixels, blank = string_pixels(frame)
    if pixels.shape == (FIELD, FIELD):  # a prepared 28x28 field, padded as the digits are
        return digits_to_tensor(pixels, spec, device), blank
    return normalise_strip(pixels).to(device, non_blocking=True), blank


@cache
def weights_transforms(weights_id: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """torchvision's preprocessing of published weights: resize, centre crop, scale, mean/std."""
    from torchvision.models import get_weight  # only a photo model needs torchvision's transforms

    return get_weight(weights_id).transforms()


def photo_to_tensor(image: np.ndarray, spec: ModelSpec, device: torch.device) -> torch.Tensor:
    """H x W ink (inverted to dark on white) or H x W x 3 RGB uint8 -> 1 x 3 x crop x crop, normalised."""
    assert spec.weights.transforms is not None
    if image.ndim == 2:
        pixels = torch.from_numpy(np.ascontiguousarray(image)).to(device)
        rgb = (255 - pixels).unsqueeze(0).expand(3, -1, -1)  # 3 x H x W, dark ink on white
    else:
        rgb = torch.from_numpy(np.ascontiguousarray(image[:, :, :3])).to(device).permute(2, 0, 1)  # 3 x H x W
    return weights_transforms(spec.weights.transforms)(rgb.unsqueeze(0).contiguous())  # 1 x 3 x crop x crop
