"""From uint8 pixels to the normalised tensor a model was trained on (one place for both)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import torch
import torch.nn.functional as F

from viz_app.errors import UserError
from viz_app.models.registry import ModelSpec
from viz_app.models.strings import STRIP_HEIGHT, NoInkError, StripError, make_strip, normalise_strip
from viz_app.opencv import cv2
from viz_app.records.frames import Frame
from viz_app.sources.digit import FIELD, mnist_digit
from viz_app.sources.photo import crop, network_image

BLANK_STRIP_WIDTH = 64  # a blank string frame: an empty strip as wide as a first digit's (no re-layout at the first stroke)
STRIP_QUANTUM = 64  # a string's strip is padded to a multiple of this width: a new shape costs the maps a re-layout


class InputError(UserError, ValueError):
    """A frame that cannot become the network's input (a region of interest off the image,
    an image of an odd shape): the user's to fix, said in a message, never a crash."""


def network_pixels(frame: Frame, channels: int) -> np.ndarray:
    """The frame's pixels as the current model wants them: a photo becomes the digit's ink
    (``channels == 1``) or the RGB centre crop of its ROI; pad ink and data set digits as they are."""
    if not frame.photo:
        return frame.image
    try:
        return network_image(frame.image, frame.roi, channels)
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def digits_to_tensor(
    digits: np.ndarray | torch.Tensor, spec: ModelSpec, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """N x 28 x 28 uint8 MNIST-style digits -> N x 1 x 32 x 32 float, padded and normalised."""
    x = torch.as_tensor(digits).to(device, non_blocking=True)
    if x.ndim == 2:
        x = x.unsqueeze(0)
    x = x.unsqueeze(1).float().div_(255.0)  # N x 1 x 28 x 28
    pad_h = spec.input_size[0] - x.shape[-2]
    pad_w = spec.input_size[1] - x.shape[-1]
    if pad_h or pad_w:
        x = F.pad(x, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))  # N x 1 x 32 x 32
    return normalise(x, spec)


def normalise(x: torch.Tensor, spec: ModelSpec) -> torch.Tensor:
    """(x - mean) / std with the spec's per-channel statistics; x in [0, 1]."""
    mean = torch.tensor(spec.mean, device=x.device).view(1, -1, 1, 1)
    std = torch.tensor(spec.std, device=x.device).view(1, -1, 1, 1)
    return (x - mean) / std


def input_pixels(x: torch.Tensor, spec: ModelSpec) -> torch.Tensor:
    """The first input of a normalised batch back in uint8 pixels: H x W, or H x W x 3."""
    mean = torch.tensor(spec.mean, device=x.device).view(-1, 1, 1)
    std = torch.tensor(spec.std, device=x.device).view(-1, 1, 1)
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
    if spec.channels == 1:
        gray = image if image.ndim == 2 else image.max(axis=2)
        if not centre and gray.shape == (FIELD, FIELD):
            return digits_to_tensor(gray, spec, device), not gray.any()
        digit = mnist_digit(gray)
        if digit is None:
            return digits_to_tensor(np.zeros((FIELD, FIELD), np.uint8), spec, device), True
        return digits_to_tensor(digit, spec, device), False
    if spec.weights_id is not None:
        return photo_to_tensor(image, spec, device), not image.any()
    rgb = np.repeat(image[:, :, None], 3, axis=2) if image.ndim == 2 else image[:, :, :3]
    h, w = spec.input_size
    rgb = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
    x = torch.from_numpy(np.ascontiguousarray(rgb)).to(device).permute(2, 0, 1).unsqueeze(0).float().div_(255.0)
    return normalise(x, spec), not image.any()


def strip_to_tensor(frame: Frame, spec: ModelSpec, device: torch.device) -> tuple[torch.Tensor, bool]:
    """A frame for a model with a string head -> (1 x 1 x 32 x W normalised strip, whether it was blank).

    Pad ink and data set digits are clean ink; a photo's region of interest is looked at for ink
    as a photo; a prepared 28x28 field (the demo's scenes) is padded as it is, so a shift stays
    a shift. A picture without ink is a blank strip; one that cannot be read (a string far too
    long) is an InputError with the reason.
    """
    gray = frame.image if frame.image.ndim == 2 else frame.image.max(axis=2)
    if frame.prepared and gray.shape == (FIELD, FIELD):
        return digits_to_tensor(gray, spec, device), not gray.any()
    if not frame.photo and not gray.any():
        return _blank_strip(device), True
    try:
        image = crop(frame.image, frame.roi) if frame.photo else gray
        strip = make_strip(image, clean=not frame.photo)
    except NoInkError:
        return _blank_strip(device), True
    except (StripError, ValueError) as exc:  # far too long; a region of interest off the image
        raise InputError(str(exc)) from exc
    pixels = strip.pixels
    width = -(-pixels.shape[1] // STRIP_QUANTUM) * STRIP_QUANTUM
    if width != pixels.shape[1]:  # background on the right: the layers' shapes change once per quantum, not per stroke
        pixels = np.pad(pixels, ((0, 0), (0, width - pixels.shape[1])))
    return normalise_strip(pixels).to(device, non_blocking=True), False


def _blank_strip(device: torch.device) -> torch.Tensor:
    """An empty strip (1 x 1 x 32 x W), so the layers keep a string's shape."""
    return normalise_strip(np.zeros((STRIP_HEIGHT, BLANK_STRIP_WIDTH), np.uint8)).to(device)


@cache
def weights_transforms(weights_id: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """torchvision's preprocessing of published weights: resize, centre crop, scale, mean/std."""
    from torchvision.models import get_weight  # only a photo model needs torchvision's transforms

    return get_weight(weights_id).transforms()


def photo_to_tensor(image: np.ndarray, spec: ModelSpec, device: torch.device) -> torch.Tensor:
    """H x W ink (inverted to dark on white) or H x W x 3 RGB uint8 -> 1 x 3 x crop x crop, normalised."""
    assert spec.weights_id is not None
    if image.ndim == 2:
        pixels = torch.from_numpy(np.ascontiguousarray(image)).to(device)
        rgb = (255 - pixels).unsqueeze(0).expand(3, -1, -1)  # 3 x H x W, dark ink on white
    else:
        rgb = torch.from_numpy(np.ascontiguousarray(image[:, :, :3])).to(device).permute(2, 0, 1)  # 3 x H x W
    return weights_transforms(spec.weights_id)(rgb.unsqueeze(0).contiguous())  # 1 x 3 x crop x crop
