"""argparse types for `cnn-viz`: each refuses a bad value with one line, before anything starts.

A count of zero, a device that is not there, a model or panel that is not registered, a log
or output file that cannot be written: argparse says so and the command ends with exit 2,
before a thread, a window or a long training run has begun.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DEVICE_HELP = "auto (CUDA when present, else CPU), cpu, cuda or cuda:N"


def positive_int(text: str) -> int:
    """``type=`` for counts that must be 1 or more (epochs, frames, runs, images)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def positive_float(text: str) -> float:
    """``type=`` for rates that must be above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text}")
    return value


def device_name(text: str) -> str:
    """``type=`` for --device: auto, cpu, cuda or cuda:N by spelling (no torch import)."""
    spec = text.strip().lower()
    kind, _, index = spec.partition(":")
    if spec in ("auto", "cpu", "cuda") or (kind == "cuda" and index.isdigit()):
        return spec
    raise argparse.ArgumentTypeError(f"unknown device {text!r}: use {DEVICE_HELP}")


def present_device(text: str) -> str:
    """``type=`` for commands that measure or train: the device must be on this machine."""
    spec = device_name(text)
    if spec != "auto":
        from viz_app.models.device import DeviceError, resolve_device

        try:
            resolve_device(spec)
        except DeviceError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return spec


def model_name(text: str) -> str:
    """``type=`` for a registered model name (imports the registry, so torch)."""
    from viz_app.models import get_spec

    try:
        return get_spec(text).name
    except KeyError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def panel_key(text: str) -> str:
    """``type=`` for --panel: a key of the panel registry."""
    from viz_app.ui.panels.registry import PANELS

    if text not in PANELS:
        raise argparse.ArgumentTypeError(f"unknown panel {text!r}: choose one of {', '.join(PANELS)}")
    return text


def output_file(text: str) -> Path:
    """``type=`` for a file written at the end of a long run: its folder must take it now."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is a folder; name the file to write")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {path.name}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write {path.name}: folder {folder} is not writable")
    return path


def appendable_file(text: str) -> Path:
    """``type=`` for a log file: it must open for appending now, before any thread starts."""
    path = Path(text).expanduser()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot write to {path}: {exc.strerror or exc}") from None
    return path
