"""One device-to-host copy per frame: tensors of any dtype and shape come back as they were."""

from __future__ import annotations

import time

import numpy as np
import torch

from viz_app.models import load_model
from viz_app.probe import transfer
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.probe.transfer import to_host
from viz_app.records.frames import Frame
from viz_app.sources.strokes import StrokeCanvas


def test_mixed_tensors_round_trip() -> None:
    tensors = [
        torch.arange(7, dtype=torch.uint8),
        torch.randn(3, 5),
        torch.tensor(3.5),  # 0-d
        torch.arange(6, dtype=torch.int64).view(2, 3)[:, 1:],  # not contiguous
        torch.tensor([True, False, True]),
        torch.randn(2, 3, dtype=torch.float64),
    ]
    host = to_host(tensors)
    assert len(host) == len(tensors)
    for array, tensor in zip(host, tensors):
        assert array.dtype == tensor.numpy().dtype and array.shape == tuple(tensor.shape)
        np.testing.assert_array_equal(array, tensor.contiguous().numpy())
    assert to_host([]) == []


def test_the_cpu_copies_nothing_twice() -> None:
    flat = torch.arange(16, dtype=torch.uint8)
    assert transfer._copy_to_host(flat).data_ptr() == flat.data_ptr()


def test_a_frame_with_extras_crosses_to_the_host_once(monkeypatch) -> None:
    copies: list[int] = []
    original = transfer._copy_to_host

    def counted(flat: torch.Tensor) -> torch.Tensor:
        copies.append(flat.numel())
        return original(flat)

    monkeypatch.setattr(transfer, "_copy_to_host", counted)
    canvas = StrokeCanvas()
    canvas.draw_polyline([(90, 70), (150, 40), (190, 90), (100, 230), (200, 230)])
    loaded = load_model("lenet5")
    with Pipeline(loaded) as pipeline:
        for key, params in {"augment": {"seed": 0}, "saliency": {}, "unit": {"layer": "c3", "index": 1}}.items():
            pipeline.add_extra(make_extra(key, loaded, params))
        result = pipeline.process(Frame(canvas.ink.copy(), time.perf_counter()))
    assert len(copies) == 1 and set(result.extras) == {"augment", "saliency", "unit"}
