"""What one extra costs a frame: ``python -m viz_app.bench.extra_cost [model] [extra] [frames] [threads] [json params]``.

The pipeline alone (no window): the frames alternate with and without the extra, so that the
load of a shared machine hits both alike; ``cnn-viz bench --panel EXTRA`` measures the same in
the live window, drawing included.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np
import torch

from viz_app.models.loader import LoadedModel, load_model
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame
from viz_app.sources.strokes import StrokeCanvas


def extra_overhead(model: str | LoadedModel, key: str, params: dict[str, Any], frames: int = 300, threads: int | None = None) -> tuple[float, float]:
    """Median ``Pipeline.process`` time in ms (without, with) extra ``key`` on a drawn digit.

    The frames alternate between the two settings, so that the load of a shared machine hits both alike.
    """
    if threads:
        torch.set_num_threads(threads)
    canvas = StrokeCanvas()
    canvas.draw_polyline([(90, 70), (150, 40), (190, 90), (100, 230), (200, 230)])
    frame = Frame(canvas.ink.copy(), time.perf_counter())
    loaded = load_model(model) if isinstance(model, str) else model
    times: dict[bool, list[float]] = {False: [], True: []}
    with Pipeline(loaded) as pipeline:
        extra = make_extra(key, loaded, params)
        warm = 10
        attach = getattr(extra, "attach", None) if params.get("ride_along", True) else None  # its hooks are part of its cost
        for i in range(2 * (frames + warm)):
            on = bool(i % 2)
            if on and attach:
                attach()
            pipeline.extras = [extra] if on else []
            t0 = time.perf_counter()
            pipeline.process(frame)
            if i >= 2 * warm:
                times[on].append(time.perf_counter() - t0)
            if attach:
                extra.close()
    return float(np.median(times[False]) * 1e3), float(np.median(times[True]) * 1e3)


def main() -> None:
    """Print what one extra costs per frame: `python -m viz_app.bench.extra_cost [model] [extra] ...`."""
    argv = sys.argv[1:] + [None] * 5
    model, key = argv[0] or "lenet5", argv[1] or "augment"
    frames, threads = int(argv[2] or 300), int(argv[3]) if argv[3] else None
    params = json.loads(argv[4]) if argv[4] else ({"seed": 0} if key == "augment" else {})
    without, with_extra = extra_overhead(model, key, params, frames, threads)
    print(f"{model}, {key} {params}, torch threads {torch.get_num_threads()}, median of {frames} interleaved frames: "
          f"without {without:.2f} ms, with {with_extra:.2f} ms, extra {with_extra - without:.2f} ms, ratio {with_extra / without:.2f}")


if __name__ == "__main__":
    main()
