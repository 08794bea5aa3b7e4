"""What one extra costs a frame: ``python -m viz_app.bench.extra_cost [model] [extra] [frames] [threads] [json params]``.

The pipeline alone (no window): the frames alternate with and without the extra, so that the
load of a shared machine hits both alike; ``cnn-viz bench panel EXTRA`` measures the same in
the live window, drawing included. For Grad-CAM the same rotation also runs torchcam's
GradCAM (a forward and the map of the top class, as its documentation runs it) beside a bare
forward of the same model, so that the two ways of getting the map are compared in one run
(``pip install torchcam``: the ``bench`` extra of the project).
"""

from __future__ import annotations

import copy
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from viz_app.models.loader import LoadedModel, load_model
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame
from viz_app.sources.strokes import StrokeCanvas

WARM_ROUNDS = 10  # rounds of the rotation not counted


def interleaved_medians(runs: dict[str, Callable[[], object]], frames: int, warm: int = WARM_ROUNDS) -> dict[str, float]:
    """Median ms of each call, the calls taken in turn ``frames`` times after ``warm`` rounds."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for i in range(frames + warm):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            if i >= warm:
                times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(t) * 1e3) for name, t in times.items()}


def extra_overhead(model: str | LoadedModel, key: str, params: dict[str, Any], frames: int = 300, threads: int | None = None,
                   torchcam: bool = False) -> dict[str, float]:  # fmt: skip
    """Median ms of ``Pipeline.process`` on a drawn digit "without" and "with" extra ``key``; with
    ``torchcam`` (Grad-CAM only) also "bare forward" and "torchcam" (torchcam's GradCAM on the same layer)."""
    if threads:
        torch.set_num_threads(threads)
    canvas = StrokeCanvas()
    canvas.draw_polyline([(90, 70), (150, 40), (190, 90), (100, 230), (200, 230)])
    frame = Frame(canvas.ink.copy(), time.perf_counter())
    loaded = load_model(model) if isinstance(model, str) else model
    # torchcam's models are copied before the pipeline hooks the model: neither carries its captures.
    theirs = torchcam_runs(loaded, gradcam_layer(loaded, key, params)) if torchcam else {}
    with Pipeline(loaded) as pipeline:
        extra = make_extra(key, loaded, params)
        attach = getattr(extra, "attach", None) if params.get("ride_along", True) else None  # its hooks are part of its cost

        def plain() -> None:
            pipeline.extras = []
            pipeline.process(frame)

        def with_extra() -> None:
            if attach:
                attach()
            pipeline.extras = [extra]
            pipeline.process(frame)
            if attach:
                extra.close()

        return interleaved_medians({"without": plain, "with": with_extra, **theirs}, frames)


def gradcam_layer(loaded: LoadedModel, key: str, params: dict[str, Any]) -> str | None:
    """The layer the saliency extra takes Grad-CAM at with ``params`` (None: it does not use Grad-CAM)."""
    if key != "saliency":
        return None
    extra = make_extra(key, loaded, params)
    layer = getattr(extra, "grad_at", None)  # "" for the input gradient
    extra.close()
    return layer or None


def torchcam_runs(loaded: LoadedModel, layer: str | None) -> dict[str, Callable[[], object]]:
    """A bare forward of ``loaded``'s model and torchcam's GradCAM on ``layer``, each on a copy of the
    model made now (before any hook; torchcam's with its parameters requiring grad, as it
    expects), on one input of the model's size."""
    if not layer:
        raise ValueError("torchcam's GradCAM needs a layer: the extra is not Grad-CAM on this model")
    from torchcam.methods import GradCAM  # the bench's comparison only

    h, w = loaded.spec.input.size
    x = torch.rand(1, loaded.spec.input.channels, h, w, device=loaded.device)
    model = copy.deepcopy(loaded.model)
    theirs = copy.deepcopy(loaded.model).requires_grad_(True)
    extractor = GradCAM(theirs, target_layer=layer, input_shape=(loaded.spec.input.channels, h, w))

    def bare() -> None:
        with torch.inference_mode():
            model(x)

    def torchcam() -> None:
        scores = theirs(x)
        extractor(int(scores.argmax(1)[0]), scores)

    return {"bare forward": bare, "torchcam": torchcam}


def main() -> None:
    """Print what one extra costs per frame: `python -m viz_app.bench.extra_cost [model] [extra] ...`."""
    argv = sys.argv[1:] + [None] * 5
    model, key = argv[0] or "lenet5", argv[1] or "augment"
    frames, threads = int(argv[2] or 300), int(argv[3]) if argv[3] else None
    params = json.loads(argv[4]) if argv[4] else ({"seed": 0} if key == "augment" else {})
    loaded = load_model(model)
    gradcam = gradcam_layer(loaded, key, params) is not None
    ms = extra_overhead(loaded, key, params, frames, threads, torchcam=gradcam)
    without, with_extra = ms["without"], ms["with"]
    print(f"{model}, {key} {params}, torch threads {torch.get_num_threads()}, median of {frames} interleaved frames: "
          f"without {without:.2f} ms, with {with_extra:.2f} ms, extra {with_extra - without:.2f} ms, ratio {with_extra / without:.2f}")
    if gradcam:
        bare, theirs = ms["bare forward"], ms["torchcam"]
        print(f"same rotation, torchcam's GradCAM on the same layer: bare forward {bare:.2f} ms, torchcam forward + CAM "
              f"{theirs:.2f} ms, extra {theirs - bare:.2f} ms, ratio {theirs / bare:.2f}")


if __name__ == "__main__":
    main()
