"""Choosing the device the model runs on."""

from __future__ import annotations

import torch

from viz_app.errors import UserError


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


def describe(device: torch.device) -> str:
    """'CPU (2 threads)' or 'CUDA:0 NVIDIA H100' for the status bar."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"CUDA:{index} {torch.cuda.get_device_name(index)}"
    threads = torch.get_num_threads()
    return f"CPU ({threads} thread{'' if threads == 1 else 's'})"
