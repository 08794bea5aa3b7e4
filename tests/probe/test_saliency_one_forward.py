"""Saliency at the price of one forward: the same maps as two forwards, one forward per frame, nothing left behind."""

from __future__ import annotations

import gc
import time
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torchvision_models import torchvision_loaded

from viz_app.models import load_model
from viz_app.models.loader import LoadedModel
from viz_app.probe.extras import make_extra
from viz_app.probe.extras.base import ExtraContext
from viz_app.probe.extras.saliency import SaliencyExtra, grad_cam, input_gradient
from viz_app.probe.extras.se import hook_free_twin
from viz_app.probe.hooks import count_hooks
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame, FrameKind
from viz_app.sources.strokes import StrokeCanvas

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def lenet() -> LoadedModel:
    return load_model("lenet5")


def two_forward_reference(loaded: LoadedModel, layer: str | None, x: torch.Tensor, grid: torch.Tensor | None) -> np.ndarray:
    """The map as it was computed before: a second forward and backward on the hook-free twin (layer None: the input gradient)."""
    twin = hook_free_twin(loaded)
    captured: list[torch.Tensor] = []
    handle = dict(twin.named_modules())[layer].register_forward_hook(lambda m, i, o: captured.append(o)) if layer else None
    try:
        with torch.enable_grad():
            inp = x.clone().requires_grad_(True)
            logits = twin(inp)
            target = captured[-1] if layer else inp
            (grads,) = torch.autograd.grad(logits[0, logits[0].argmax()], target)
    finally:
        if handle:
            handle.remove()
    if not layer:
        saliency = grads[0].abs().amax(0)
        return (saliency / saliency.max()).numpy()
    cam = F.relu((grads.mean((2, 3), keepdim=True) * target.detach()).sum(1, keepdim=True))
    if grid is not None:
        cam = F.grid_sample(cam, grid, mode="bilinear", padding_mode="border", align_corners=True)[0, 0]
    else:
        cam = F.interpolate(cam, size=x.shape[-2:], mode="bilinear", align_corners=False)[0, 0]
    return (cam / cam.max().clamp_min(1e-12)).numpy()


class FloatSaliency:
    """A test extra: the saliency map in float, from the frame's own forward (what SaliencyExtra rounds to uint8)."""

    key = "float_saliency"

    def __init__(self, saliency: SaliencyExtra) -> None:
        self.saliency = saliency
        self.grad_at: str | None = saliency.grad_at

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        assert self.grad_at is not None
        leaf = ctx.grad_leaves[self.grad_at]
        if self.saliency.method == "gradcam":
            return [grad_cam(ctx.logits, leaf, (ctx.x.shape[-2], ctx.x.shape[-1]), self.saliency.grid)[0], ctx.x]
        return [input_gradient(ctx.logits, leaf)[0], ctx.x]

    def unpack(self, arrays: list[np.ndarray]) -> tuple[np.ndarray, torch.Tensor]:
        """(the map, the network input it explains)."""
        return arrays[0].copy(), torch.from_numpy(arrays[1].copy())

    def close(self) -> None:
        self.grad_at = None


class Spy:
    """A test extra without a gradient: notes how the frame's forward ran."""

    key = "spy"
    grad_at: str | None = None

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def compute(self, ctx: ExtraContext) -> list[torch.Tensor]:
        self.seen.append({
            "logits_inference": ctx.logits.is_inference(),
            "logits_grad": ctx.logits.requires_grad,
            "outputs_grad": any(t.requires_grad for t in ctx.outputs.values()),
            "outputs_inference": all(t.is_inference() for t in ctx.outputs.values()),
        })  # fmt: skip
        return []

    def unpack(self, arrays: list[np.ndarray]) -> None:
        return None

    def close(self) -> None:
        """No hooks."""


def one_forward_maps(loaded: LoadedModel, params: dict[str, Any], frames: list[Frame]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(one-forward map, two-forward reference) for each frame."""
    saliency = make_extra("saliency", loaded, params)
    assert isinstance(saliency, SaliencyExtra)
    layer = saliency.grad_at or None
    pairs = []
    with Pipeline(loaded, layers=[]) as pipeline:
        pipeline.add_extra(FloatSaliency(saliency))
        for frame in frames:
            mine, x = pipeline.process(frame).extras["float_saliency"]
            pairs.append((mine, two_forward_reference(loaded, layer, x, saliency.grid)))
    return pairs


@pytest.mark.parametrize("method", ["gradcam", "gradient"])
def test_one_forward_equals_two_forwards_on_digits(lenet, mnist_test, method) -> None:
    frames = [Frame(mnist_test.images[i], time.perf_counter()) for i in range(5)]
    for mine, reference in one_forward_maps(lenet, {"method": method}, frames):
        assert mine.shape == (32, 32)
        np.testing.assert_allclose(mine, reference, atol=1e-4)


def test_one_forward_grad_cam_equals_two_forwards_on_resnet18() -> None:
    loaded = torchvision_loaded("resnet18")
    canvas = StrokeCanvas()
    canvas.draw_polyline([(60, 40), (200, 90), (120, 250)])
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, (224, 224, 3), dtype=np.uint8)
    frames = [Frame(canvas.ink.copy(), time.perf_counter()), Frame(photo, time.perf_counter(), kind=FrameKind.PREPARED)]
    for mine, reference in one_forward_maps(loaded, {"method": "gradcam"}, frames):
        assert mine.shape == (224, 224) and mine.max() > 0
        np.testing.assert_allclose(mine, reference, atol=1e-4)


@pytest.mark.parametrize("method", ["gradcam", "gradient"])
def test_a_saliency_frame_runs_one_forward(lenet, mnist_test, method) -> None:
    forwards = []
    with Pipeline(lenet) as pipeline:
        pipeline.add_extra(make_extra("saliency", lenet, {"method": method}))
        handle = lenet.model.register_forward_pre_hook(lambda m, i: forwards.append(1))
        try:
            for i in range(3):
                pipeline.process(Frame(mnist_test.images[i], time.perf_counter()))
        finally:
            handle.remove()
    assert len(forwards) == 3


@pytest.mark.parametrize("method", ["gradcam", "gradient"])
def test_saliency_frames_leave_no_hook_grad_or_graph_behind(mnist_test, method) -> None:
    loaded = load_model("lenet5")
    loaded.model.requires_grad_(True)  # as a caller might hand it over
    spy = Spy()
    with Pipeline(loaded) as pipeline:
        hooks = count_hooks(loaded.model)  # the probe's own
        assert not any(p.requires_grad for p in loaded.model.parameters())
        pipeline.add_extra(spy)
        pipeline.add_extra(make_extra("saliency", loaded, {"method": method}))
        for i in range(3):
            record = pipeline.process(Frame(mnist_test.images[i], time.perf_counter())).extras["saliency"]
            assert record.heatmap.max() == 255
            assert count_hooks(loaded.model) == hooks  # the gradient hook lives only for the forward
        pipeline.remove_extra("saliency")
        pipeline.process(Frame(mnist_test.images[0], time.perf_counter()))
        assert count_hooks(loaded.model) == hooks
    assert all(p.grad is None and not p.requires_grad for p in loaded.model.parameters())
    gc.collect()
    assert not [t for t in gc.get_objects() if issubclass(type(t), torch.Tensor) and t.requires_grad]  # no graph outlives a frame
    with_saliency, without = spy.seen[:3], spy.seen[3]
    assert all(seen["logits_grad"] and not seen["outputs_grad"] for seen in with_saliency)  # layer outputs stay detached
    assert without == {"logits_inference": True, "logits_grad": False, "outputs_grad": False, "outputs_inference": True}


@pytest.mark.slow
def test_saliency_and_the_unit_extra_share_the_frame() -> None:
    loaded = torchvision_loaded("resnet18")
    canvas = StrokeCanvas()
    canvas.draw_polyline([(140, 30), (140, 250)])
    with Pipeline(loaded, layers=["layer4"]) as pipeline:
        pipeline.add_extra(make_extra("unit", loaded, {"layer": "layer4", "index": 3}))
        pipeline.add_extra(make_extra("saliency", loaded, {}))
        result = pipeline.process(Frame(canvas.ink.copy(), time.perf_counter()))
    assert result.extras["saliency"].layer == "layer4"
    assert result.extras["unit"] is not None
    assert count_hooks(loaded.model) == 0
