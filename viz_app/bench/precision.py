"""Reduced precision against fp32, per model: `python -m viz_app.bench.precision`.

For each model and each autocast dtype the device offers (CUDA: bf16 and fp16; the CPU:
bf16), the same inputs go through the model in fp32 and under autocast, laid out as the
window would run them (``FastPath``: channels_last for photo-size models on CUDA), and it
reports the top-1 agreement with fp32, the largest difference of a class probability, and
the median forward time of one frame in each precision with the speed-up. This is the
evidence the window's 'auto' precision waits for before it turns autocast on by itself.

Like the pipeline bench it runs without Qt and without a download (``PYTHONPATH=.``). The
inputs are seeded, photo-like images (noise with a natural image's 1/f spectrum, at the
model's input size, normalised as its weights expect): no data set is needed, and images a
model is unsure about are a harder test of agreement than photos it knows. Whether the
weights were trained is in each row: untrained weights measure the arithmetic only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch

from viz_app.bench.pipeline import FrameClock, describe, device_of, model_names, offline, time_frames
from viz_app.models import LoadedModel, load_model
from viz_app.models.device import FastPath, fast_path
from viz_app.models.inputs import normalise

REDUCED = ("bf16", "fp16")  # the autocast precisions of models.device.PRECISIONS


@dataclass(frozen=True)
class PrecisionRow:
    """One model in one reduced precision against fp32."""

    model: str
    precision: str
    trained: bool
    inputs: int
    top1_agreement: float  # share of inputs whose top-1 class is the same as in fp32
    max_probability_difference: float
    fp32_ms: float  # median forward of one frame (batch 1)
    reduced_ms: float
    speedup: float


def photo_like(n: int, channels: int, size: tuple[int, int], seed: int = 0) -> torch.Tensor:
    """``n`` seeded images in 0..1, N x C x H x W, with a 1/f amplitude spectrum (as photos have)."""
    h, w = size
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    falloff = 1.0 / np.maximum(np.hypot(fy, fx), 1.0 / max(h, w))
    spectrum = (rng.standard_normal((n, channels, h, w // 2 + 1)) + 1j * rng.standard_normal((n, channels, h, w // 2 + 1))) * falloff
    images = np.fft.irfft2(spectrum, s=(h, w))
    lo = images.min(axis=(1, 2, 3), keepdims=True)
    hi = images.max(axis=(1, 2, 3), keepdims=True)
    return torch.from_numpy(((images - lo) / (hi - lo)).astype(np.float32))


def top1_agreement(reference: torch.Tensor, other: torch.Tensor) -> float:
    """Share of rows (N x classes logits) whose arg-max is the same in both."""
    return float((reference.argmax(dim=1) == other.argmax(dim=1)).float().mean())


def _path(loaded: LoadedModel, precision: str) -> FastPath:
    """How the window runs this model with ``--precision``: 'auto' is the fp32 reference
    (channels_last for a photo-size model on CUDA), 'bf16' or 'fp16' an autocast."""
    return fast_path(loaded.device, loaded.spec.input.size, precision)


@torch.inference_mode()
def _outputs(loaded: LoadedModel, x: torch.Tensor, precision: str, batch: int) -> torch.Tensor:
    """Class probabilities (float32, on the CPU) of every input, ``batch`` at a time."""
    fast = _path(loaded, precision)
    probs = []
    for start in range(0, len(x), batch):
        chunk = fast.input(normalise(x[start : start + batch].to(loaded.device), loaded.spec))
        with fast.autocast_on(loaded.device):
            logits = loaded.model(chunk)
        probs.append(torch.softmax(logits.float(), dim=1).cpu())
    return torch.cat(probs)


def _median_ms(loaded: LoadedModel, x: torch.Tensor, precision: str, frames: int) -> float:
    """The median time of a one-frame forward in this precision."""
    fast = _path(loaded, precision)
    one = fast.input(normalise(x[:1].to(loaded.device), loaded.spec))

    def step(_i: int) -> None:
        with torch.inference_mode(), fast.autocast_on(loaded.device):
            loaded.model(one)

    return float(np.median(time_frames(step, FrameClock(loaded.device), frames, warmup=5)))


def measure(name: str, device: torch.device, precisions: Sequence[str], inputs: int = 1000, batch: int = 50, frames: int = 50) -> list[PrecisionRow]:
    """Each of ``precisions`` against fp32 for model ``name`` on ``inputs`` photo-like images."""
    loaded = load_model(name, device, download=offline)
    loaded.model.eval()
    _path(loaded, "auto").prepare(loaded.model)  # the window's memory format (the autocast paths share it)
    x = photo_like(inputs, loaded.spec.input.channels, loaded.spec.input.size)
    reference = _outputs(loaded, x, "auto", batch)
    fp32_ms = _median_ms(loaded, x, "auto", frames)
    rows = []
    for key in precisions:
        reduced = _outputs(loaded, x, key, batch)
        reduced_ms = _median_ms(loaded, x, key, frames)
        rows.append(PrecisionRow(name, key, loaded.trained, inputs, round(top1_agreement(reference, reduced), 4),
                                 round(float((reference - reduced).abs().max()), 4), round(fp32_ms, 3), round(reduced_ms, 3),
                                 round(fp32_ms / reduced_ms, 2)))  # fmt: skip
    loaded.model.to("cpu")  # the next model starts with the device's memory as it was
    return rows


def main(argv: list[str] | None = None) -> int:
    """Measure every asked model; print a table or JSON; exit 2 on bad input."""
    parser = argparse.ArgumentParser(prog="python -m viz_app.bench.precision", description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--models", default="imagenet", help="all, zoo, imagenet, or NAME[,NAME...]")
    parser.add_argument("--precisions", default=None, help="bf16, fp16 or both (default: CUDA both, the CPU bf16)")
    parser.add_argument("--inputs", type=int, default=1000, help="images compared per model")
    parser.add_argument("--frames", type=int, default=50, help="timed one-frame forwards per precision")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        device = device_of(args.device)
        names = model_names(args.models)
        precisions = [p.strip() for p in (args.precisions or ("bf16,fp16" if device.type == "cuda" else "bf16")).split(",")]
        if unknown := [p for p in precisions if p not in REDUCED]:
            raise ValueError(f"unknown precision(s) {', '.join(unknown)}: use bf16, fp16")
        if args.inputs < 1 or args.frames < 1:
            raise ValueError("--inputs and --frames must be at least 1")
    except ValueError as exc:
        print(f"precision bench: error: {exc}", file=sys.stderr)
        return 2
    rows = []
    for name in names:
        for row in measure(name, device, precisions, args.inputs, frames=args.frames):
            rows.append(row)
            if not args.json:
                print(table_line(row), flush=True)
    if args.json:
        print(json.dumps({"machine": describe(device), "rows": [asdict(r) for r in rows]}, indent=1))
    return 0


def table_line(row: PrecisionRow) -> str:
    """One row as the table prints it (also `.ci/gpu-check`'s table, from the JSON)."""
    weights = "trained" if row.trained else "untrained"
    return (f"{row.model:<32} {row.precision}  top-1 agreement {row.top1_agreement:7.2%} of {row.inputs}"
            f"  max |dp| {row.max_probability_difference:.4f}  {row.fp32_ms:7.2f} -> {row.reduced_ms:7.2f} ms"
            f"  x{row.speedup:<5} ({weights})")


if __name__ == "__main__":
    raise SystemExit(main())
