"""Does the frame pipeline give back what it takes? `python -m viz_app.bench.leaks`.

Runs many frames of one model, then opens and closes every registered model a few times,
as a lecture does when it switches models, and reads the device's allocated memory (CUDA)
and the process's resident memory at each step. Like `viz_app.bench.pipeline` it needs no
Qt, so `.ci/gpu-check` runs it on a GPU machine from the source tree. A model is closed as
the window's worker closes it: hooks off, dropped, garbage collected and the freed heap
pages handed back (``--keep-freed`` leaves that last step out, to show what it is worth).
Exit status 1 when the CUDA memory did not come back within the tolerance, the resident
memory at the last cycle's end is more than 100 MB above the first's, or hooks stayed; 2 on
bad arguments.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from typing import Any

import torch

from viz_app.bench.pipeline import describe, device_of, model_names, offline, synthetic_frames
from viz_app.memory import release_freed_memory, rss_mb
from viz_app.models import load_model
from viz_app.probe.pipeline import Pipeline

TOLERANCE_MB = 1.0  # CUDA memory allocated after the cycles against before them
RSS_TOLERANCE_MB = 100.0  # resident memory at the last cycle's end against the first's


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


def cycle_models(names: list[str], device: torch.device, cycles: int, give_back: bool = True, frames: int = 3) -> tuple[list[dict], list[dict]]:
    """Open every model, run a few frames, close it as the window's worker does; ``cycles`` times.

    Returns the memory at each cycle's end, and for each model of the last cycle what it held
    while open and what stayed resident after it was closed. ``give_back``: after each close,
    hand the freed heap pages back to the system as the app does (``release_freed_memory``);
    without it, only a garbage collection.
    """
    ends, closed = [], []
    for cycle in range(cycles):
        for name in names:
            before = rss_mb()
            loaded = load_model(name, device, download=offline)
            inputs = synthetic_frames(loaded.spec, count=frames)
            with Pipeline(loaded) as pipeline:
                for frame in inputs:
                    pipeline.process(frame)
                held = rss_mb() - before
            del loaded, inputs, pipeline
            if give_back:
                release_freed_memory()
            else:
                gc.collect()
            if cycle == cycles - 1:
                closed.append({"model": name, "held_mb": round(held, 1), "kept_mb": round(rss_mb() - before, 1)})
        ends.append({"cycle": cycle + 1, "allocated_mb": round(allocated_mb(device), 2), "rss_mb": round(rss_mb(), 1)})
    return ends, closed


def main(argv: list[str] | None = None) -> int:
    """Run the frame soak and the model cycles; print JSON; non-zero when memory did not come back."""
    parser = argparse.ArgumentParser(prog="python -m viz_app.bench.leaks", description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--frames", type=int, default=10_000, help="frames of --model in a row")
    parser.add_argument("--model", default="lenet5")
    parser.add_argument("--models", default="all", help="the models cycled: all, zoo, imagenet or NAME[,NAME...]")
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help="cycle through the window's inference worker (needs Qt)")
    parser.add_argument("--keep-freed", action="store_true", help="do not hand freed heap pages back after each close (shows what that does)")
    args = parser.parse_args(argv)
    try:
        if args.frames < 3 or args.cycles < 1:
            raise ValueError("--frames must be at least 3 and --cycles at least 1")
        device = device_of(args.device)
        names = model_names(args.models)
    except ValueError as exc:
        print(f"leak check: error: {exc}", file=sys.stderr)
        return 2
    start, start_rss = allocated_mb(device), rss_mb()
    soak = run_frames(args.model, device, args.frames)
    after_soak = allocated_mb(device)
    if args.worker:
        from viz_app.bench.worker_cycles import cycle_in_worker

        cycles, closed = cycle_in_worker(names, str(device), args.cycles, give_back=not args.keep_freed)
    else:
        cycles, closed = cycle_models(names, device, args.cycles, give_back=not args.keep_freed)
    grew = max(after_soak, cycles[-1].get("allocated_mb", 0.0)) - start
    rss_grew = cycles[-1]["rss_mb"] - cycles[0]["rss_mb"]
    report = {
        "machine": describe(device),
        "start": {"allocated_mb": round(start, 2), "rss_mb": round(start_rss, 1)},
        "soak": soak,
        "after_soak_allocated_mb": round(after_soak, 2),
        "cycles": cycles,
        "models_cycled": len(names),
        "allocated_growth_mb": round(grew, 3),
        "tolerance_mb": TOLERANCE_MB,
        "rss_growth_after_first_cycle_mb": round(rss_grew, 1),
        "rss_tolerance_mb": RSS_TOLERANCE_MB,
        "freed_memory_given_back": not args.keep_freed,
        "closed_models": closed,
        "hooks_left": soak["hooks_after_close"],
    }
    print(json.dumps(report, indent=1))
    if device.type == "cuda" and grew > TOLERANCE_MB:
        print(f"leak check: CUDA memory grew by {grew:.2f} MB (tolerance {TOLERANCE_MB} MB)", file=sys.stderr)
        return 1
    if rss_grew > RSS_TOLERANCE_MB:
        print(
            f"leak check: resident memory grew by {rss_grew:.0f} MB from the first cycle's end to the last's (tolerance {RSS_TOLERANCE_MB:.0f} MB)",
            file=sys.stderr,
        )
        return 1
    if soak["hooks_after_close"]:
        print(f"leak check: {soak['hooks_after_close']} hooks left on {args.model} after closing", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
