"""What the network looks at, live (the "saliency" extra): Grad-CAM or the input gradient.

Two standard methods for the predicted class: Grad-CAM on the last convolutional stage
(Selvaraju et al. 2017) and the gradient of the class score with respect to the input
pixels (Simonyan et al. 2014). No second forward: the extra declares where it needs the
gradient (``grad_at``: the layer's module path, or ``""`` for the input), the frame's own
forward records autograd from there on, and ``compute`` asks autograd for the gradient of the
class score with respect to that leaf only (one backward through the rest of the network).
The pipeline's gradient hook lives only for the forward, and the graph is freed by the
backward: no hook and no autograd graph outlives a frame.

Grad-CAM's coarse map is laid back on the input where its units look: each unit's value sits
at the centre of its receptive field (found once, as for the unit zoom). Stretching the map
over the whole input instead is wrong for unpadded convolutions: LeNet-5's 10 x 10 C3 map
covers only the middle 18 x 18 pixels of its 32 x 32 input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from viz_app.models.inputs import input_pixels
from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.base import ExtraContext, refuse_string_reader, score_gradient
from viz_app.probe.extras.se import hook_free_twin
from viz_app.probe.extras.unit import FieldModel, layer_output, receptive_field
from viz_app.records.panels import SALIENCY_METHODS, SaliencyParams, SaliencyRecord

POOLING: tuple[type[nn.Module], ...] = (
    nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d, nn.Dropout, nn.Identity,
)  # fmt: skip


def last_conv_stage(model: nn.Module, x: torch.Tensor) -> str:
    """The module path of the last stage with spatial output (N x C x H x W, H*W > 1), pooling skipped.

    Found by one forward on ``x`` with temporary hooks: of modules firing in order, the last
    whose output is a spatial map; a container fires after its children, so a stage
    (``layer4``, ``features``, ``c3``) wins over the block inside it.
    """
    order: list[str] = []
    handles = []
    for name, module in model.named_modules():
        if name and not isinstance(module, POOLING):

            def hook(m: nn.Module, inputs: Any, output: Any, name: str = name) -> None:
                if isinstance(output, torch.Tensor) and output.dim() == 4 and output.shape[2] * output.shape[3] > 1:
                    order.append(name)

            handles.append(module.register_forward_hook(hook))
    try:
        with torch.inference_mode():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    if not order:
        raise ValueError("the model has no layer with a spatial output: Grad-CAM needs one")
    return order[-1]


METHODS = SALIENCY_METHODS


def default_method(spec: Any) -> str:
    """What "auto" means: the input gradient for the 32 x 32 digit models, Grad-CAM for the rest.

    The zoo's last convolutional stages are 4 x 4 to 10 x 10 units, each looking at a third
    of the digit or more: Grad-CAM's peak lands within two pixels of the ink for only 62% to
    77% of MNIST test digits there (LeNet-5, AlexNet, ResNet, SE-ResNet), the input gradient's
    for 199 of 200 (LeNet-5).
    """
    return "gradient" if spec.input.channels == 1 else "gradcam"


def input_gradient(logits: torch.Tensor, inp: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(H x W map of |d score / d pixel| in 0..1, class used, raw maximum) for the predicted class.

    ``logits`` (1 x classes) must have been computed from ``inp`` (1 x C x H x W, requiring grad).
    """
    cls = logits[0].detach().argmax()
    grads = score_gradient(logits, inp, cls)
    saliency = grads[0].abs().amax(0)  # H x W, strongest colour channel
    peak = saliency.max()
    return (saliency / peak.clamp_min(1e-12)).clamp_(0, 1), cls, peak


def placement_grid(field: FieldModel, cam_size: tuple[int, int], device: torch.device) -> torch.Tensor | None:
    """The 1 x H x W x 2 ``grid_sample`` grid that puts unit (i, j) of an h x w map at the centre of its field.

    None where the units have no spacing (one field covering the input): stretch instead.
    """
    h, w = cam_size
    if field.jump[0] <= 0 or field.jump[1] <= 0:
        return None
    axes = []
    for axis, (units, pixels) in enumerate(((h, field.image[0]), (w, field.image[1]))):
        centre0 = field.start[axis] + (field.size[axis] - 1) / 2  # input pixel under unit 0
        unit = (torch.arange(pixels, dtype=torch.float32, device=device) - centre0) / field.jump[axis]
        axes.append(unit * (2 / (units - 1)) - 1 if units > 1 else torch.zeros_like(unit))  # -1..1 across the units
    gy, gx = torch.meshgrid(axes[0], axes[1], indexing="ij")
    return torch.stack([gx, gy], dim=-1).unsqueeze(0)


def grad_cam(
    logits: torch.Tensor, activation: torch.Tensor, size: tuple[int, int], grid: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(H x W map in 0..1 at the input's ``size``, class used, raw maximum) for the predicted class.

    ``logits`` (1 x classes) must have been computed from ``activation`` (1 x C x h x w,
    requiring grad: the frame's leaf at the layer). ``grid`` (from ``placement_grid``) lays
    the map on the input where its units look; None stretches it over the input.
    """
    cls = logits[0].detach().argmax()
    grads = score_gradient(logits, activation, cls)
    weights = grads.mean(dim=(2, 3), keepdim=True)  # 1 x C x 1 x 1
    cam = F.relu((weights * activation.detach()).sum(1, keepdim=True))  # 1 x 1 x h x w
    if grid is not None:
        cam = F.grid_sample(cam, grid, mode="bilinear", padding_mode="border", align_corners=True)[0, 0]  # H x W
    else:
        cam = F.interpolate(cam, size=size, mode="bilinear", align_corners=False)[0, 0]  # H x W
    peak = cam.max()
    return (cam / peak.clamp_min(1e-12)).clamp_(0, 1), cls, peak


class SaliencyExtra:
    """Sends the saliency map of the predicted class, with the input it explains.

    params (``SaliencyParams``): ``method`` ("auto", the default: see ``default_method``; "gradcam";
    "gradient"), ``layer`` (Grad-CAM's module path; default: the last convolutional stage).
    """

    key = "saliency"

    def __init__(self, loaded: LoadedModel, params: SaliencyParams) -> None:
        refuse_string_reader(loaded, "the Looks-at panel")
        self.spec = loaded.spec
        self.model = hook_free_twin(loaded)
        modules = dict(self.model.named_modules())
        layer = params.layer
        if layer is None:
            h, w = self.spec.input.size
            layer = last_conv_stage(self.model, torch.zeros(1, self.spec.input.channels, h, w, device=loaded.device))
        if layer not in modules:
            raise KeyError(f"no layer {layer!r} in {self.spec.name}")
        self.method = params.method
        if self.method == "auto":
            self.method = default_method(self.spec)
        self.layer_name = str(layer) if self.method == "gradcam" else "input"
        self.grad_at: str | None = str(layer) if self.method == "gradcam" else ""
        module = modules[str(layer)]
        self.grid: torch.Tensor | None = None
        if self.method == "gradcam":
            h, w = self.spec.input.size
            with torch.inference_mode():
                cam_size = layer_output(self.model, module, torch.zeros(1, self.spec.input.channels, h, w, device=loaded.device)).shape[-2:]
            field = receptive_field(self.model, module, 0, (self.spec.input.channels, h, w), loaded.device)
            self.grid = placement_grid(field, (int(cam_size[0]), int(cam_size[1])), loaded.device) if field else None

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        """Device tensors: the heat map and the input pixels."""
        if self.grad_at is None:  # closed
            raise RuntimeError("the saliency extra is closed")
        leaf = ctx.grad_leaves[self.grad_at]
        if self.method == "gradcam":
            cam, cls, peak = grad_cam(ctx.logits, leaf, (ctx.x.shape[-2], ctx.x.shape[-1]), self.grid)
        else:
            cam, cls, peak = input_gradient(ctx.logits, leaf)
        heat = cam.mul(255.0).round_().to(torch.uint8)  # H x W
        return [heat, input_pixels(ctx.x, self.spec), cls.reshape(1), peak.float().reshape(1)]

    def unpack(self, arrays: list[np.ndarray]) -> SaliencyRecord:
        """The frame's SaliencyRecord."""
        heat, pixels, cls, peak = arrays
        return SaliencyRecord(heat, pixels, int(cls[0]), self.layer_name, float(peak[0]), self.method)

    def close(self) -> None:
        """Ask for no more gradients (the pipeline's gradient hooks live only within one frame)."""
        self.grad_at = None
