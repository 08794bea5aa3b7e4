"""The frame pipeline alone, timed per model: `python -m viz_app.bench.pipeline`.

Runs where only PyTorch, torchvision, numpy, Pillow and a headless OpenCV are installed (no
Qt, no pip install: ``PYTHONPATH=.`` from a source checkout), so a GPU machine can measure
what the window's inference thread does per frame: preparation of a raw frame, the forward
with hooks on every default layer, the mosaics, the extras and the one copy to the host
(``Pipeline.process``), against a bare forward of the same prepared input. On CUDA a frame
is timed with CUDA events recorded around it (the copy to the host synchronises, so the end
event marks the frame's result on the host). `.ci/gpu-check` runs it.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from viz_app.models import LoadedModel, list_specs, load_model
from viz_app.models.device import fast_path
from viz_app.models.inputs import frame_to_tensor
from viz_app.models.registry import ModelSpec
from viz_app.opencv import cv2
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame

EXTRA_PARAMS: dict[str, dict[str, Any]] = {"augment": {"seed": 0}, "saliency": {"method": "gradcam"}}


def offline(url: str, dest: Path, progress: object = None) -> None:
    """The downloader of a measuring machine: published weights are used when already in
    torch's cache, never fetched (timing does not depend on trained weights)."""
    raise OSError(f"not downloading {url} while measuring")


@dataclass(frozen=True)
class Stats:
    """Frame times in milliseconds: median, 95th percentile, and frames per second at the median."""

    frames: int
    median_ms: float
    p95_ms: float
    fps: float

    @classmethod
    def of(cls, times_ms: Sequence[float]) -> Stats:
        """The statistics of ``times_ms`` (at least one time)."""
        median = float(np.median(times_ms))
        return cls(len(times_ms), round(median, 3), round(float(np.percentile(times_ms, 95)), 3), round(1e3 / median, 1))


@dataclass
class Row:
    """One model (with its extras, if any) measured on one device."""

    model: str
    extras: tuple[str, ...]
    input: str
    pipeline: Stats
    forward: Stats
    overhead: float  # pipeline median / bare forward median
    memory_mb: dict[str, float] = field(default_factory=dict)  # CUDA memory_allocated before / after


def synthetic_frames(spec: ModelSpec, count: int = 8) -> list[Frame]:
    """Raw frames as a source would hand them: pad ink (a digit glyph, shifted) for digit models,
    an RGB photo-sized image for image models."""
    frames = []
    for i in range(count):
        if spec.input.channels == 1:
            ink = np.zeros((280, 280), np.uint8)
            cv2.putText(ink, str(i % 10), (70 + 4 * i, 220), cv2.FONT_HERSHEY_SIMPLEX, 7, 255, 24)
            frames.append(Frame(ink, time.perf_counter(), i, "pad"))
        else:
            rng = np.random.default_rng(i)
            image = cv2.GaussianBlur(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8), (0, 0), 6)
            frames.append(Frame(image, time.perf_counter(), i, "file"))
    return frames


class FrameClock:
    """Times one frame: CUDA events on a CUDA device, the host clock elsewhere."""

    def __init__(self, device: torch.device) -> None:
        self.cuda = device.type == "cuda"

    @contextmanager
    def frame(self, times_ms: list[float]) -> Iterator[None]:
        """Append the time the block took to ``times_ms``."""
        if self.cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            yield
            end.record()
            end.synchronize()
            times_ms.append(start.elapsed_time(end))
        else:
            t0 = time.perf_counter()
            yield
            times_ms.append((time.perf_counter() - t0) * 1e3)


def _allocated_mb(device: torch.device) -> float:
    if device.type != "cuda":
        return 0.0
    torch.cuda.synchronize(device)
    return torch.cuda.memory_allocated(device) / 2**20


def time_frames(step: Callable[[int], object], clock: FrameClock, frames: int, warmup: int) -> list[float]:
    """Call ``step(i)`` for ``warmup`` untimed and then ``frames`` timed frames; their times in ms.

    Raises RuntimeError when fewer frames were measured than asked: a figure from less than
    was asked for must never pass as the real one.
    """
    for i in range(warmup):
        step(i)
    times: list[float] = []
    for i in range(frames):
        with clock.frame(times):
            step(i)
    if len(times) < frames:
        raise RuntimeError(f"measured {len(times)} frames of {frames} asked")
    return times


def _time_both(loaded: LoadedModel, frames: int, extras: Sequence[str], warmup: int) -> tuple[list[float], list[float]]:
    """Frame times of the whole pipeline and of a bare forward on the same prepared input."""
    clock = FrameClock(loaded.device)
    inputs = synthetic_frames(loaded.spec)
    fast = fast_path(loaded.device, loaded.spec.input.size)  # the bare forward runs as the pipeline's does
    fast.prepare(loaded.model)
    x = fast.input(frame_to_tensor(inputs[0].image, loaded.spec, loaded.device)[0])
    with torch.inference_mode(), fast.autocast_on(loaded.device):
        forward = time_frames(lambda _i: loaded.model(x), clock, frames, warmup)
    with Pipeline(loaded) as pipeline:
        for key in extras:
            pipeline.add_extra(make_extra(key, loaded, EXTRA_PARAMS.get(key, {})))
        piped = time_frames(lambda i: pipeline.process(inputs[i % len(inputs)]), clock, frames, warmup)
    return piped, forward


def measure(name: str, device: torch.device, frames: int, extras: Sequence[str] = (), warmup: int = 20) -> Row:
    """Time ``frames`` frames of model ``name`` through the pipeline and as a bare forward;
    CUDA memory is read before the model is built and after it is freed."""
    before = _allocated_mb(device)
    loaded = load_model(name, device, download=offline)
    spec = loaded.spec
    piped, forward = _time_both(loaded, frames, extras, warmup)
    del loaded
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    p, f = Stats.of(piped), Stats.of(forward)
    shape = "x".join(map(str, (1, spec.input.channels, *spec.input.size)))
    return Row(name, tuple(extras), shape, p, f, round(p.median_ms / f.median_ms, 2),
               {"before": round(before, 2), "after": round(_allocated_mb(device), 2)})


def model_names(which: str) -> list[str]:
    """'all', 'zoo', 'imagenet' or a comma-separated list of registered names."""
    groups = {"zoo": "MNIST zoo", "imagenet": "ImageNet"}
    if which == "all":
        return [s.name for s in list_specs()]
    if which in groups:
        return [s.name for s in list_specs() if s.group == groups[which]]
    known = {s.name for s in list_specs()}
    names = [n.strip() for n in which.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(f"unknown model(s) {', '.join(unknown) or which!r}; see `cnn-viz models`")
    return names


def device_of(spec: str) -> torch.device:
    """The device to measure on; a CUDA device that is not there is an error, not the CPU."""
    device = torch.device(spec)
    if device.type == "cuda" and (not torch.cuda.is_available() or (device.index or 0) >= torch.cuda.device_count()):
        raise ValueError(f"no CUDA device {spec!r} on this machine")
    return device


def describe(device: torch.device) -> dict[str, Any]:
    """The machine the figures are from."""
    info: dict[str, Any] = {"device": str(device), "torch": torch.__version__, "python": sys.version.split()[0]}
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    else:
        info["threads"] = torch.get_num_threads()
    return info


def main(argv: list[str] | None = None) -> int:
    """Time every asked model through the pipeline; print a table or JSON; exit 2 on bad input."""
    parser = argparse.ArgumentParser(prog="python -m viz_app.bench.pipeline", description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--models", default="all", help="all, zoo, imagenet, or NAME[,NAME...]")
    parser.add_argument("--frames", type=int, default=2000, help="timed frames per model (after 20 warm-up frames)")
    parser.add_argument("--extras-on", default="imagenet_resnet50", help="model also timed with each extra ('' for none)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.frames < 1:
            raise ValueError("--frames must be at least 1")
        device = device_of(args.device)
        names = model_names(args.models)
    except ValueError as exc:
        print(f"pipeline bench: error: {exc}", file=sys.stderr)
        return 2
    rows = []
    for name in names:
        rows.append(measure(name, device, args.frames))
        if not args.json:
            print(_line(rows[-1]), flush=True)
    if args.extras_on:
        for key in EXTRA_PARAMS:
            rows.append(measure(args.extras_on, device, args.frames, extras=(key,)))
            if not args.json:
                print(_line(rows[-1]), flush=True)
    if args.json:
        print(json.dumps({"machine": describe(device), "frames": args.frames, "rows": [asdict(r) for r in rows]}, indent=1))
    return 0


def _line(row: Row) -> str:
    label = row.model + (f" + {','.join(row.extras)}" if row.extras else "")
    return (f"{label:<40} pipeline {row.pipeline.median_ms:8.2f} ms (p95 {row.pipeline.p95_ms:8.2f})"
            f"  forward {row.forward.median_ms:8.2f} ms  x{row.overhead:<5}  {row.pipeline.fps:8.1f} fps")


if __name__ == "__main__":
    raise SystemExit(main())
