"""Every insight extra on for 1,000 frames: no hook and no tensor left behind."""

from __future__ import annotations

import gc
import time

import pytest
import torch

from viz_app.models import load_model
from viz_app.probe.extras import make_extra
from viz_app.probe.extras.se import hook_free_twin
from viz_app.probe.hooks import count_hooks
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame
from viz_app.sources.strokes import StrokeCanvas

pytestmark = pytest.mark.usefixtures("one_torch_thread")


EXTRAS = {
    "se": {},
    "augment": {"seed": 5},
    "saliency": {"method": "gradcam"},
    "unit": {"layer": "layer2", "index": 3},
    "filters": {},
}


def live_tensors() -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if issubclass(type(obj), torch.Tensor))  # type(): no __getattr__ on lazy modules


def frames(n: int):
    """Strokes that grow and restart, as a hand drawing would."""
    canvas = StrokeCanvas()
    for i in range(n):
        if i % 50 == 0:
            canvas.clear()
        k = i % 50
        canvas.extend(60 + 3 * k, 60 + (k * 7) % 160)
        yield Frame(canvas.ink.copy(), time.perf_counter(), seq=i)


@pytest.mark.slow
def test_no_hook_or_tensor_growth_over_1000_frames() -> None:
    loaded = load_model("se_resnet")  # has SE blocks, so every extra does real work
    bare = count_hooks(loaded.model)
    with Pipeline(loaded) as pipeline:
        for key, params in EXTRAS.items():
            pipeline.add_extra(make_extra(key, loaded, params))
        hooks = count_hooks(loaded.model)
        assert hooks > bare
        counts = {}
        for frame in frames(1000):
            result = pipeline.process(frame)
            assert set(result.extras) == set(EXTRAS)
            assert count_hooks(loaded.model) == hooks
            if frame.seq in (199, 999):
                del result
                counts[frame.seq] = live_tensors()
        assert count_hooks(hook_free_twin(loaded)) == 0
    assert counts[999] <= counts[199]
    assert count_hooks(loaded.model) == bare


@pytest.mark.slow
def test_switching_extras_on_and_off_leaves_nothing() -> None:
    loaded = load_model("lenet5")
    bare = count_hooks(loaded.model)
    with Pipeline(loaded) as pipeline:
        probe = count_hooks(loaded.model)
        frame = next(iter(frames(30)))
        for i in range(40):
            key = ["unit", "saliency", "augment", "se"][i % 4]
            params = {"layer": "c3", "index": i % 16} if key == "unit" else {}
            pipeline.add_extra(make_extra(key, loaded, params))
            pipeline.process(frame)
            if i % 3 == 0:
                pipeline.remove_extra(key)
        for key in ("unit", "saliency", "augment", "se"):
            pipeline.remove_extra(key)
        assert count_hooks(loaded.model) == probe
    assert count_hooks(loaded.model) == bare
