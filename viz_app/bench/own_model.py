"""Opening a user's model file or ONNX model, and the converted ONNX model's cost per frame.

``python -m viz_app.bench.own_model [--frames N] [--json]`` writes LeNet-5-sized models into a
temporary folder (a Python file with its weights, and LeNet-5 exported to ONNX), then measures
with torch and the app already imported as in the running window:
- open (median of 3, each in a fresh process showing LeNet-5 whose costs were counted, as a
  window does once the input rests for 2 s, so that importing onnx and the converter counts;
  for ONNX also within the first 2 s of start-up, before that count): from the model's
  name to the first frame's result (reading, converting or importing the file, building the
  model, loading its weights, hooks, the first forward);
- frame: the median time of one live frame (preprocessing, forward with the hooks, mosaics,
  softmax) of LeNet-5 built natively and of its ONNX conversion, alternating, in one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from viz_app.models import get_spec, load_model
from viz_app.models.user_model import open_spec
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame

NET = """
from torch import nn


def build():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )
"""


def _ink(seed: int) -> np.ndarray:
    ink = np.zeros((280, 280), np.uint8)
    x = 100 + seed % 60
    ink[60:220, x : x + 30] = 255
    return ink


def time_to_first_frame(text: str, weights: Path | None = None) -> float:
    """Seconds from a model's name to its first frame's result."""
    t0 = time.perf_counter()
    spec = open_spec(text)
    loaded = load_model(spec.name, "cpu", weights)
    with Pipeline(loaded) as pipeline:
        pipeline.process(Frame(_ink(0), time.perf_counter()))
    return time.perf_counter() - t0


def count_costs(name: str) -> None:
    """What a window does once the input rests: count the shown model's costs (its FLOPs)."""
    from viz_app.models.summary import cached_summary

    cached_summary(name)


def frame_costs(names: list[str], frames: int) -> dict[str, float]:
    """Median seconds per live frame of each model, the models taking turns frame by frame."""
    pipelines = [Pipeline(load_model(get_spec(n).name, "cpu")).__enter__() for n in names]
    times: list[list[float]] = [[] for _ in names]
    try:
        for i in range(frames + 5):
            for k, pipeline in enumerate(pipelines):
                t0 = time.perf_counter()
                pipeline.process(Frame(_ink(i), t0))
                if i >= 5:  # warm-up
                    times[k].append(time.perf_counter() - t0)
    finally:
        for pipeline in pipelines:
            pipeline.__exit__(None, None, None)
    return {n: statistics.median(t) for n, t in zip(names, times)}


def _open_in_fresh_process(text: str, weights: Path | None = None, settled: bool = True) -> float:
    """``time_to_first_frame`` in a new process in the state of a window showing LeNet-5 (the app
    imported, one frame run), but without what only a model file needs (onnx, the converter):
    that import is part of opening. ``settled``: the window has also counted LeNet-5's costs, as
    it does once the input rests for 2 s after start-up (``COSTS_AFTER_REST_S``; that count
    imports torch's compiler stack, which the ONNX converter's torchvision import needs too);
    otherwise the model is opened in the first seconds after start-up."""
    code = (
        "import sys, viz_app.models, viz_app.probe.pipeline, viz_app.bench.own_model as b; "
        "b.time_to_first_frame('lenet5'); "
        "b.count_costs('lenet5') if sys.argv[3] == 'settled' else None; "
        "print(b.time_to_first_frame(sys.argv[1], None if sys.argv[2] == '-' else b.Path(sys.argv[2])))"
    )
    state = "settled" if settled else "start"
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code, text, str(weights or "-"), state], capture_output=True, text=True, timeout=300)
    if out.returncode:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "the timing process failed")
    return float(out.stdout.split()[-1])


def run(frames: int = 200) -> dict[str, float]:
    """Every figure of the module's docstring, in seconds (and the frame-cost ratio)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "net.py").write_text(NET, encoding="utf-8")
        onnx_path = folder / "lenet5.onnx"
        native = load_model("lenet5", "cpu")
        torch.onnx.export(native.model, (torch.zeros(1, 1, 32, 32),), str(onnx_path), dynamo=False, input_names=["x"], dynamic_axes={"x": {0: "n"}})
        weights = folder / "net.pt"
        torch.save(open_spec(f"{folder / 'net.py'}:build").build().state_dict(), weights)
        report = {
            "open_onnx_s": statistics.median(_open_in_fresh_process(str(onnx_path)) for _ in range(3)),
            "open_onnx_at_start_s": statistics.median(_open_in_fresh_process(str(onnx_path), settled=False) for _ in range(3)),
            "open_py_s": statistics.median(_open_in_fresh_process(f"{folder / 'net.py'}:build", weights) for _ in range(3)),
            # The same measure for the shipped LeNet-5, opened again: what a switch costs anyway.
            "open_lenet5_s": statistics.median(_open_in_fresh_process("lenet5") for _ in range(3)),
        }
        costs = frame_costs(["lenet5", str(onnx_path)], frames)
    report["frame_native_ms"] = costs["lenet5"] * 1e3
    report["frame_onnx_ms"] = costs[str(onnx_path)] * 1e3
    report["frame_ratio"] = costs[str(onnx_path)] / costs["lenet5"]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viz_app.bench.own_model", description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    report = run(max(args.frames, 1))
    if args.json:
        print(json.dumps({k: round(v, 4) for k, v in report.items()}))
    else:
        print(f"open a user's .py (LeNet-5 size) to the first frame: {report['open_py_s']:.2f} s")
        print(f"open an ONNX LeNet-5 to the first frame:             {report['open_onnx_s']:.2f} s")
        print(f"  the same within 2 s of start-up (costs not counted): {report['open_onnx_at_start_s']:.2f} s")
        print(f"open the shipped LeNet-5 again, for comparison:      {report['open_lenet5_s']:.2f} s")
        print(f"per frame: native {report['frame_native_ms']:.2f} ms, ONNX {report['frame_onnx_ms']:.2f} ms, ratio {report['frame_ratio']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
