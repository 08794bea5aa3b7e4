"""Does the frame pipeline give back what it takes? `python -m viz_app.bench.leaks`.

Runs many frames of one model, then opens and closes every registered model a few times,
as a lecture does when it switches models, and reads the device's allocated memory (CUDA)
and the process's resident memory at each step. Like `viz_app.bench.pipeline` it needs no
Qt, so `.ci/gpu-check` runs it on a GPU machine from the source tree. Exit status 1 when the
CUDA memory did not come back within the tolerance, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from typing import Any

import torch

from viz_app.bench.pipeline import describe, device_of, model_names, offline, synthetic_frames
from viz_app.models import load_model
from viz_app.probe.pipeline import Pipeline

TOLERANCE_MB = 1.0


def rss_mb() -> float:
    """The process's resident memory in MB (Linux; 0 where /proc is not there)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return 0.0


def allocated_mb(device: torch.device) -> float:
    """Memory the caching allocator holds for tensors on a CUDA device, after a collection."""
    gc.collect()
    if device.type != "cuda":
        return 0.0
    torch.cuda.synchronize(device)
    torch.cuda.empty_cache()
    return torch.cuda.memory_allocated(device) / 2**20


def hook_count(model: torch.nn.Module) -> int:
    """Forward hooks registered on any module of ``model``."""
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def run_frames(name: str, device: torch.device, frames: int) -> dict[str, Any]:
    """``frames`` frames of one model: memory at the start, the middle and the end, and hooks."""
    loaded = load_model(name, device, download=offline)
    inputs = synthetic_frames(loaded.spec)
    marks: dict[str, Any] = {}
    with Pipeline(loaded) as pipeline:
        hooks_on = hook_count(loaded.model)
        for i in range(frames):
            pipeline.process(inputs[i % len(inputs)])
            if i in (0, frames // 2, frames - 1):
                marks[str(i + 1)] = {"allocated_mb": round(allocated_mb(device), 2), "rss_mb": round(rss_mb(), 1)}
    hooks_after = hook_count(loaded.model)
    return {"model": name, "frames": frames, "at_frame": marks, "hooks_while_running": hooks_on, "hooks_after_close": hooks_after}


def cycle_models(names: list[str], device: torch.device, cycles: int, frames: int = 3) -> list[dict[str, Any]]:
    """Open every model, run a few frames, close it; ``cycles`` times. Memory after each cycle."""
    ends = []
    for cycle in range(cycles):
        for name in names:
            loaded = load_model(name, device, download=offline)
            inputs = synthetic_frames(loaded.spec, count=frames)
            with Pipeline(loaded) as pipeline:
                for frame in inputs:
                    pipeline.process(frame)
            del loaded, inputs, pipeline
        ends.append({"cycle": cycle + 1, "allocated_mb": round(allocated_mb(device), 2), "rss_mb": round(rss_mb(), 1)})
    return ends


def main(argv: list[str] | None = None) -> int:
    """Run the frame soak and the model cycles; print JSON; non-zero when memory did not come back."""
    parser = argparse.ArgumentParser(prog="python -m viz_app.bench.leaks", description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--frames", type=int, default=10_000, help="frames of --model in a row")
    parser.add_argument("--model", default="lenet5")
    parser.add_argument("--models", default="all", help="the models cycled: all, zoo, imagenet or NAME[,NAME...]")
    parser.add_argument("--cycles", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        if args.frames < 3 or args.cycles < 1:
            raise ValueError("--frames must be at least 3 and --cycles at least 1")
        device = device_of(args.device)
        names = model_names(args.models)
    except ValueError as exc:
        print(f"leak check: error: {exc}", file=sys.stderr)
        return 2
    start = allocated_mb(device)
    soak = run_frames(args.model, device, args.frames)
    after_soak = allocated_mb(device)
    cycles = cycle_models(names, device, args.cycles)
    grew = max(after_soak, cycles[-1]["allocated_mb"]) - start
    report = {
        "machine": describe(device),
        "start": {"allocated_mb": round(start, 2), "rss_mb": round(rss_mb(), 1)},
        "soak": soak,
        "after_soak_allocated_mb": round(after_soak, 2),
        "cycles": cycles,
        "models_cycled": len(names),
        "allocated_growth_mb": round(grew, 3),
        "tolerance_mb": TOLERANCE_MB,
        "hooks_left": soak["hooks_after_close"],
    }
    print(json.dumps(report, indent=1))
    if device.type == "cuda" and grew > TOLERANCE_MB:
        print(f"leak check: CUDA memory grew by {grew:.2f} MB (tolerance {TOLERANCE_MB} MB)", file=sys.stderr)
        return 1
    if soak["hooks_after_close"]:
        print(f"leak check: {soak['hooks_after_close']} hooks left on {args.model} after closing", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
