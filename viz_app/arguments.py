"""argparse types for `cnn-viz`: each refuses a bad value with one line, before anything starts.

A count of zero, a device that is not there, a model or panel that is not registered, a log
or output file that cannot be written: argparse says so and the command ends with exit 2,
before a thread, a window or a long training run has begun.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from viz_app.state.options import DEVICE_HELP

PRECISION_HELP = ("the model's arithmetic: auto (fp32; channels_last for photo-size models on CUDA), fp32, or bf16 / fp16 "
                  "autocast: a little less exact, and faster where the hardware has it (bf16 on a CPU with AVX-512 BF16: ResNet-18 about 1.4x; slower without)")


WEIGHTS_HELP = "a state dict (.pt, .pth or .safetensors) instead of the model's own weights"
MAX_COUNT = 100_000_000  # frames, epochs, runs: more would run for months, and Qt's timers count in 32 bits
MAX_RATE = 10_000.0  # events per second of a scripted stroke; a mouse sends about 120


def positive_int(text: str) -> int:
    """``type=`` for counts that must be 1 or more (epochs, frames, runs, images), at most MAX_COUNT."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_COUNT:,}, got {value:,}")
    return value


def positive_float(text: str) -> float:
    """``type=`` for rates that must be above zero, at most MAX_RATE."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value <= MAX_RATE:
        raise argparse.ArgumentTypeError(f"must be a number above 0 and at most {MAX_RATE:,.0f}, got {text}")
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
    """``type=`` for a registered model name, ``torchvision:NAME``, ``FILE.py[:build]`` or ``FILE.onnx``
    (imports the registry, so torch; a model file is opened and checked now)."""
    from viz_app.errors import UserError
    from viz_app.models import get_spec

    try:
        return get_spec(text).name
    except (KeyError, UserError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def float_values(text: str) -> tuple[float, ...]:
    """``type=`` for --mean/--std: one number, or one per channel separated by commas."""
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None
    if len(values) not in (1, 3):
        raise argparse.ArgumentTypeError(f"give 1 value or 3 (one per RGB channel), got {len(values)}")
    return values


MODEL_FILE_HELP = "for a model file of your own (FILE.py[:build] or FILE.onnx)"


def add_model_options(parser: argparse.ArgumentParser, input_flag: bool = True) -> None:
    """--classes, --input, --mean and --std: what a user's model file eats and says.

    ``input_flag=False`` where the command has its own --input (``summary``: the same CxHxW).
    """
    parser.add_argument("--classes", type=Path, metavar="LABELS", help=f"class names, one per line, {MODEL_FILE_HELP}")
    if input_flag:
        parser.add_argument("--input", metavar="CxHxW", help=f"input size, e.g. 1x28x28, {MODEL_FILE_HELP}")
    parser.add_argument("--mean", type=float_values, metavar="M", help=f"input mean (one value or R,G,B), {MODEL_FILE_HELP}")
    parser.add_argument("--std", type=float_values, metavar="S", help=f"input standard deviation (one value or R,G,B), {MODEL_FILE_HELP}")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS",
                        help="how long a model file of your own may take to import and build (default: 10)")  # fmt: skip


def open_model_with_options(text: str, args: argparse.Namespace) -> str:
    """Open ``text`` with the flags of ``add_model_options`` (a model file); the name to pass on.

    A registered name comes back as it is; flags given with one are refused, as they would
    silently do nothing. Raises UserError (one line) when the file or a flag does not fit.
    """
    from viz_app.errors import UserError
    from viz_app.models.user_model import ModelOptions, is_model_spec, open_spec

    given = {k: getattr(args, k, None) for k in ("classes", "input", "mean", "std")}
    if not is_model_spec(text):
        own_input = getattr(args, "command", None) == "summary"  # summary's --input is another input shape, for any model
        flags = [f"--{k}" for k, v in given.items() if v is not None and not (k == "input" and own_input)]
        if flags:
            raise UserError(f"{', '.join(flags)} {'is' if len(flags) == 1 else 'are'} only for a model file of your own, not for {text}")
        return text
    return open_spec(text, ModelOptions(**given)).name


def seconds(text: str) -> float:
    """``type=`` for a time limit: more than 0 and at most a day."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"{text} s: give more than 0 and at most 86400 seconds")
    return value


def panel_key(text: str) -> str:
    """``type=`` for --panel: a key of the panel registry."""
    from viz_app.state.panels import panel_keys

    if text not in panel_keys():
        raise argparse.ArgumentTypeError(f"unknown panel {text!r}: choose one of {', '.join(panel_keys())}")
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


def writable_file(text: str) -> Path:
    """``type=`` for a file written at the end (a trace): its folder must exist and take files now."""
    path = Path(text).expanduser()
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write to {path}: {path.parent} is not a folder this user can write to")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write to {path}: it is a folder")
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
