"""The current input under the lecture's data augmentations, classified in one batch (the "augment" extra).

The transforms are in ``augment_transforms`` (torchvision.transforms.v2, variant ``i`` seeded
with ``seed + i``); small gray inputs go through them as one sparse linear map (``augment_linear``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.augment_linear import LinearAugmenter, linear_augmenter
from viz_app.probe.extras.augment_transforms import augment_batch, build_transforms, to_uint8
from viz_app.probe.extras.base import ExtraContext, refuse_string_reader
from viz_app.probe.extras.se import hook_free_twin
from viz_app.records.panels import AugmentParams, AugmentRecord, AugmentVariant

__all__ = ["AugmentExtra", "LinearAugmenter", "augment_batch", "build_transforms", "linear_augmenter", "to_uint8"]


class AugmentExtra:
    """Classifies the frame's input under each augmentation, in one batched forward.

    By default the variants ride along with the frame: a pre-hook on the model appends them
    to the frame's 1-image batch and a forward hook cuts their logits off again, so the model
    runs once per frame on 1 + N images and the pipeline still gets 1 x classes (the probe's
    captures then hold 1 + N rows, of which everything reads row 0). With ``ride_along``
    False, or for any other forward, ``compute`` classifies the N variants on a hook-free twin.

    params (``AugmentParams``): ``names`` (subset and order of AUGMENTATIONS), ``strength``
    (name, 0..1), ``seed`` (an int for reproducible variants; None: a random seed; the random
    parameters are drawn once per extra, so the grid stays put while the input changes),
    ``ride_along`` (default True), ``refresh_hz`` (0: the variants follow every frame; else they
    are computed at most this often: a frame in between hands on the last record, the very same
    object, and costs nothing here). A new strength or seed is taken in place (``update``).
    """

    key = "augment"
    grad_at: str | None = None  # no gradient: the frame stays in inference mode

    def __init__(self, loaded: LoadedModel, params: AugmentParams) -> None:
        refuse_string_reader(loaded, "the augmentation panel")
        self.spec = loaded.spec
        self.model = hook_free_twin(loaded)
        self._device = loaded.device
        self.params = params
        self._variants(params)
        self._mean = torch.tensor(self.spec.input.mean, device=loaded.device).view(-1, 1, 1)
        self._std = torch.tensor(self.spec.input.std, device=loaded.device).view(-1, 1, 1)
        self._riding: tuple[torch.Tensor, torch.Tensor] | None = None  # (frame input, variants) in flight
        self._rode: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None  # (input, variants, logits)
        self._model = loaded.model
        self._handles: list[Any] = []
        self._interval = 1.0 / params.refresh_hz if params.refresh_hz else 0.0
        self._record: AugmentRecord | None = None  # the last one computed
        self._refreshed = 0.0  # perf_counter when it was
        self._skip = False  # the ride-along hook left this frame's variants out
        if params.ride_along:
            self.attach()

    def _variants(self, params: AugmentParams) -> None:
        """The transforms of ``params`` and the function that makes a frame's variants."""
        names, strength = list(params.names), params.strengths
        self.transforms = build_transforms(names, strength, self.spec.input.size)
        self.fixed = params.seed is not None
        self.seed = int(params.seed) if params.seed is not None else random.randrange(2**31 - 64)
        shape = (self.spec.input.channels, *self.spec.input.size)
        if LinearAugmenter.fits(shape):
            self._augment: Callable[[torch.Tensor], torch.Tensor] = linear_augmenter(names, strength, shape, self.seed, self._device)
        else:
            self._augment = lambda pixels: augment_batch(pixels, self.transforms, self.seed)

    def update(self, params: AugmentParams) -> bool:
        """Take a new strength, seed or choice of variants in place (the ride-along hooks stay);
        False when the refresh rate or the ride-along changes (built anew)."""
        if (params.refresh_hz, params.ride_along) != (self.params.refresh_hz, self.params.ride_along):
            return False
        self._variants(params)
        self.params, self._record = params, None
        return True

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
        if not self._due():
            self._skip = True
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

    def _due(self) -> bool:
        """Whether this frame computes the variants (always, without a ``refresh_hz``)."""
        return self._record is None or time.perf_counter() - self._refreshed >= self._interval

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        """Device tensors: the original's and every variant's prediction, and the variants' pixels;
        none on a frame between two refreshes."""
        rode, self._rode = self._rode, None
        skip, self._skip = self._skip, False
        if rode is not None and rode[0] is ctx.x:
            _, batch, logits = rode
        elif skip or not self._due():
            return []
        else:
            batch = self._augment(self.pixels(ctx.x))  # N x C x H x W in 0..1
            logits = self.model((batch - self._mean) / self._std)
        probs = torch.softmax(logits.float(), dim=1)  # N x classes
        confidence, prediction = probs.max(dim=1)
        original = torch.stack([ctx.probabilities.max(), ctx.probabilities.argmax().float()])
        self._refreshed = time.perf_counter()
        return [to_uint8(batch), confidence, prediction, original]

    def unpack(self, arrays: list[np.ndarray]) -> AugmentRecord:
        """The frame's AugmentRecord (the last one again, itself, on a frame between refreshes)."""
        if not arrays and self._record is not None:
            return self._record
        images, confidence, prediction, (orig_conf, orig_pred) = arrays
        variants = tuple(
            AugmentVariant(name, images[i], int(prediction[i]), float(confidence[i]), int(prediction[i]) != int(orig_pred))
            for i, (name, _) in enumerate(self.transforms)
        )
        self._record = AugmentRecord(int(orig_pred), float(orig_conf), variants, self.spec.classes, self.seed, self.fixed)
        return self._record

    def close(self) -> None:
        """Take off the hooks the variants ride on."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._riding = self._rode = None
        self._skip = False
