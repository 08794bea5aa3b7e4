"""Choosing the device the model runs on."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import torch
from torch import nn

from viz_app.errors import UserError
from viz_app.state.options import PRECISIONS


class DeviceError(UserError, ValueError):
    """A device the user asked for that this machine cannot give."""


def resolve_device(spec: str = "auto") -> torch.device:
    """'auto' -> CUDA when present, else CPU; 'cpu', 'cuda', 'cuda:N' are checked."""
    spec = (spec or "auto").strip().lower()
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(spec)
    except RuntimeError as exc:
        raise DeviceError(f"unknown device {spec!r}: use auto, cpu, cuda or cuda:N") from exc
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(f"{spec} was asked for, but no CUDA device is available here")
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise DeviceError(f"{spec} was asked for, but this machine has {count} CUDA device(s)")
    elif device.type != "cpu":
        raise DeviceError(f"unsupported device {spec!r}: use auto, cpu, cuda or cuda:N")
    return device


LARGE_INPUT = 96 * 96  # input pixels from which a forward outweighs the drawing of its frame


def cpu_threads(input_size: tuple[int, int], cores: int | None = None) -> int:
    """Intra-op threads for a model on the CPU, beside the GUI thread.

    Digit-size inputs (LeNet-5 and the MNIST zoo at 28-32 px): the forward takes about a
    millisecond and drawing is most of a frame, so one core stays with the GUI thread (a
    shared core makes both stutter). Photo-size inputs (the ImageNet models at 224-299 px):
    the forward is most of a frame (ResNet-18: 50 ms on one core against about 4 ms of
    drawing), so it gets every core. Reduced precision and channels_last stay off on the CPU
    (channels_last measured 1.04x on ResNet-18 at 224, one thread: not worth a layout change).
    """
    cores = cores or os.cpu_count() or 1
    if input_size[0] * input_size[1] >= LARGE_INPUT:
        return cores
    return max(1, cores - 1)


def waits_for_drawing(device: torch.device, threads: int, cores: int | None = None) -> bool:
    """Whether the model starts a frame only once the window has drawn the last one (or at most
    ``app.worker.DRAWING_WAIT_MS`` later: a user of the worker that never answers gets a frame
    that often).

    On the CPU, when the model's threads take every core, the GUI thread's painting takes a
    core from one of them in the middle of the next forward, and the others wait for it at
    the end of each operation: ResNet-18 on two cores, 24 ms alone, took 32-39 ms beside a
    window drawing its last frame. Waiting the few milliseconds of the drawing costs less.
    A model that leaves a core to the GUI thread, or runs on a GPU, does not wait.
    """
    return device.type == "cpu" and threads >= (cores or os.cpu_count() or 1)


def describe(device: torch.device) -> str:
    """'CPU (2 threads)' or 'CUDA:0 NVIDIA H100' for the status bar."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"CUDA:{index} {torch.cuda.get_device_name(index)}"
    threads = torch.get_num_threads()
    return f"CPU ({threads} thread{'' if threads == 1 else 's'})"




@dataclass(frozen=True)
class FastPath:
    """How a model runs on its device: memory format and autocast dtype (None: plain fp32)."""

    channels_last: bool = False
    autocast: torch.dtype | None = None

    def prepare(self, model: nn.Module) -> nn.Module:
        """The model in this path's memory format (in place, as ``Module.to`` does)."""
        return model.to(memory_format=torch.channels_last) if self.channels_last else model

    def input(self, x: torch.Tensor) -> torch.Tensor:
        """A batch in this path's memory format."""
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last and x.dim() == 4 else x

    def autocast_on(self, device: torch.device) -> AbstractContextManager:
        """The autocast context for one forward (a no-op without reduced precision)."""
        return torch.autocast(device.type, dtype=self.autocast) if self.autocast is not None else nullcontext()


def fast_path(device: torch.device, input_size: tuple[int, int], precision: str = "auto") -> FastPath:
    """'auto': photo-size models on CUDA run channels_last in fp32; everything else as built.
    'bf16' or 'fp16' ask for that autocast on any device (channels_last with it on CUDA): an
    opt-in until its top-1 agreement with fp32 is measured on the GPU. 'fp32': neither."""
    if precision not in PRECISIONS:
        raise DeviceError(f"unknown precision {precision!r}: use {', '.join(PRECISIONS)}")
    layout = device.type == "cuda" and input_size[0] * input_size[1] >= LARGE_INPUT and precision != "fp32"
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    return FastPath(channels_last=layout, autocast=dtype)
