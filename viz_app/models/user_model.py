"""What every kind of a user's own model shares: ``torchvision:NAME``, ``net.py:build`` or ``net.onnx``.

Each kind opens in a module of its own (``custom`` for Python files, ``onnx_model``,
``torchvision_any``) and registers a resolver with the registry (``add_resolver``), so that
``get_spec`` and ``open_spec`` reach it without importing it here. What the model eats comes
from the flags (``ModelOptions``), else from a JSON sidecar beside the file (``net.json``:
``{"input": "1x28x28", "mean": [0.1307], "std": [0.3081], "classes": "labels.txt", "weights":
"net.pt"}``), else from the model itself (its first convolution's channels, an input size it
accepts). The layers shown are chosen by ``auto_layers``. Every problem is a UserError naming
it; nothing is registered then, so the window keeps its model.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from viz_app.errors import UserError
from viz_app.memory import available_bytes
from viz_app.models.auto_layers import choose_layers, trace_outputs
from viz_app.models.guard import UserCodeError, guard_forward, guarded
from viz_app.models.registry import MNIST_MEAN, MNIST_STD, InputSpec, ModelSpec, WeightsSpec, get_spec, open_with_resolvers, register_model
from viz_app.models.weights import existing_file

GROUP = "Your models"
MEMORY_SHARE = 0.5  # a model may take at most this share of the memory free when it is opened
MAX_LABELS_BYTES = 10 << 20
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
# Input sizes tried, in order, when neither the flags nor a sidecar give one.
GUESSES = {1: ((28, 28), (32, 32)), 3: ((224, 224), (32, 32))}


class ModelFileError(UserError, ValueError):
    """A model file, its labels or its input that cannot be shown, with the reason."""


@dataclass(frozen=True)
class ModelOptions:
    """What the flags say about a user's model; None: the sidecar's value or the model's own."""

    classes: Path | None = None
    input: str | None = None
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None
    weights: Path | None = None


def is_model_spec(text: str) -> bool:
    """Whether ``text`` names a model file or a library model rather than a registered name."""
    base = text.split(":", 1)[0] if not text.lower().endswith(".onnx") else text
    return text.startswith("torchvision:") or base.lower().endswith((".py", ".onnx"))


def open_spec(text: str, options: ModelOptions | None = None) -> ModelSpec:
    """The registered spec of ``text``, opened afresh (a file edited since is read again);
    a registered name is returned as it is."""
    spec = open_with_resolvers(text, options or ModelOptions())
    return register_model(spec, replace=True) if spec is not None else get_spec(text)


def named(spec: ModelSpec | None, text: str) -> ModelSpec | None:
    """``spec`` also found under ``text``, the way the user wrote it (a relative path, say)."""
    if spec is not None and text != spec.name and text not in spec.aliases:
        spec = dataclasses.replace(spec, aliases=(*spec.aliases, text))
    return spec


def check_file(path: Path, limit: int, kind: str) -> Path:
    """``path`` made absolute, refused when missing, a folder, empty or bigger than ``limit``."""
    path = path.expanduser().resolve()
    size = existing_file(path, kind, ModelFileError)
    if size > limit:
        raise ModelFileError(f"{path.name} is {size / 2**30:,.1f} GiB; a {kind} this app shows is at most {limit / 2**20:,.0f} MiB")
    return path


def sidecar(path: Path) -> dict[str, Any]:
    """The JSON beside a model file (``net.json`` for ``net.py``/``net.onnx``), or {}."""
    side = path.with_suffix(".json")
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{side.name} beside the model is not readable JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelFileError(f"{side.name} beside the model must hold a JSON object")
    folder = side.parent
    for key in ("classes", "weights"):
        if isinstance(data.get(key), str):
            data[key] = folder / data[key]
    return data


def parse_input(text: str) -> tuple[int, int, int]:
    """``1x28x28`` (C x H x W; ``28x28`` means one channel) -> (C, H, W)."""
    try:
        dims = tuple(int(d) for d in str(text).lower().replace(" ", "").split("x"))
    except ValueError:
        dims = ()
    if len(dims) == 2:
        dims = (1, *dims)
    if len(dims) != 3 or dims[0] not in (1, 3) or not all(4 <= d <= 4096 for d in dims[1:]):
        raise ModelFileError(f"input size {text!r}: expected CxHxW with C 1 or 3 and H, W from 4 to 4096, e.g. 1x28x28")
    return dims


def read_labels(source: Path | list[Any], count: int) -> tuple[str, ...]:
    """Class names from a labels file (one per line) or a list; there must be ``count``."""
    if isinstance(source, list):
        labels, where = [str(x) for x in source], "the sidecar's classes"
    else:
        path = check_file(Path(source), MAX_LABELS_BYTES, "labels file")
        try:
            labels = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise ModelFileError(f"cannot read labels file {path.name}: {exc}") from exc
        where = path.name
    if len(labels) != count:
        raise ModelFileError(f"{where} has {len(labels)} class names but the model gives {count} scores")
    return tuple(labels)


def first_channels(model: nn.Module) -> int | None:
    """The input channels of the first convolution (what the model eats), if it has one."""
    conv = next((m for m in model.modules() if isinstance(m, nn.modules.conv._ConvNd)), None)
    return conv.in_channels if conv is not None else None


def user_spec(
    name: str, title: str, builder: Callable[[], nn.Module], path: Path, options: ModelOptions,
    family: str, shape: tuple[int, int, int] | None = None, own_weights: str | None = None,
) -> ModelSpec:
    """A spec for a user's model: input, classes, normalisation and layers, each checked on one forward.

    Every call into the user's code (build, forward) goes through ``guard.guarded``; the model
    is sized on the meta device before anything is allocated (``check_size``).
    """
    side = sidecar(path)
    builder = _guarded_builder(builder, title, path)
    given = options.input or side.get("input")
    check_size(builder, parse_input(given) if given else shape, title)
    model = builder().eval()
    shapes = [parse_input(given)] if given else [shape] if shape else _guesses(model)
    (c, h, w), outputs, out_shape = _first_accepted(model, shapes, title)
    if len(out_shape) != 2 or out_shape[1] < 2:
        raise ModelFileError(f"{title} gives an output of shape {tuple(out_shape)}, not a vector of class scores (N x classes)")
    labels = options.classes or side.get("classes")
    classes = read_labels(labels, out_shape[1]) if labels else tuple(str(i) for i in range(out_shape[1]))
    mean = options.mean or tuple(side.get("mean") or ((MNIST_MEAN,) if c == 1 else IMAGENET_MEAN))
    std = options.std or tuple(side.get("std") or ((MNIST_STD,) if c == 1 else IMAGENET_STD))
    if len(mean) not in (1, c) or len(std) not in (1, c) or not all(s > 0 for s in std):
        raise ModelFileError(f"mean and std need 1 or {c} values, std above 0 (got mean {list(mean)}, std {list(std)})")
    weights = options.weights or side.get("weights")
    return ModelSpec(
        name=name, title=title, builder=builder, group=GROUP, family=family,
        input=InputSpec(
            size=(h, w), channels=c,
            mean=tuple(float(m) for m in mean) * (c // len(mean)), std=tuple(float(s) for s in std) * (c // len(std)),
        ),
        classes=classes, layers=choose_layers(outputs, out_shape, (c, h, w)),
        weights=WeightsSpec(
            file=str(Path(weights).expanduser().resolve()) if weights else None,
            own=None if weights else own_weights, meta={"source": name},
        ),
    )


def _guarded_builder(builder: Callable[[], nn.Module], title: str, path: Path) -> Callable[[], nn.Module]:
    """``builder`` whose model runs its every forward through the guarded boundary."""

    def build() -> nn.Module:
        return guard_forward(guarded(title, builder, source=path, during=" while building"), title, source=path)

    return build


def check_size(builder: Callable[[], nn.Module], shape: tuple[int, int, int] | None, title: str) -> int | None:
    """The bytes a model's parameters and buffers (and, with ``shape``, one input's activations)
    take, counted on the meta device where nothing is allocated; a ModelFileError, with the
    figures, where they are more than MEMORY_SHARE of the memory free now. None where the model
    cannot be built on the meta device (a builder that computes with tensors): it is built for real."""
    try:
        with torch.device("meta"):
            model = builder()
    except (UserError, RuntimeError, NotImplementedError, TypeError, ValueError):
        return None
    weights = sum(t.numel() * t.element_size() for t in (*model.parameters(), *model.buffers()))
    activations = 0
    if shape is not None:
        try:
            outputs, _ = trace_outputs(model.eval(), shape)
            activations = sum(math.prod(o.shape) * 4 for o in outputs)
        except (UserError, RuntimeError, NotImplementedError, TypeError, ValueError):
            pass  # the real forward says what is wrong with this input
    need, free = weights + activations, available_bytes()
    if free is not None and need > MEMORY_SHARE * free:
        count = sum(p.numel() for p in model.parameters())
        for_input = f", activations {_bytes(activations)} for a {'x'.join(map(str, shape))} input" if shape else ""
        raise ModelFileError(
            f"{title} would take {_bytes(need)} ({count:,} parameters, {_bytes(weights)}{for_input}), more than "
            f"{MEMORY_SHARE:.0%} of the {_bytes(free)} this machine has free; nothing was allocated"
        )
    return need


def _bytes(n: float) -> str:
    return f"{n / 2**30:,.1f} GB" if n >= 2**30 else f"{n / 2**20:,.1f} MB"


def _guesses(model: nn.Module) -> list[tuple[int, int, int]]:
    channels = first_channels(model)
    kinds = [channels] if channels in GUESSES else [1, 3]
    return [(c, *hw) for c in kinds for hw in GUESSES[c]]


def _first_accepted(model: nn.Module, shapes: list[tuple[int, int, int]], title: str) -> tuple[tuple[int, int, int], Any, tuple[int, ...]]:
    """The first input shape the model runs on, with its traced outputs; a clear error when none."""
    error: BaseException | None = None
    for shape in shapes:
        try:
            outputs, out_shape = trace_outputs(model, shape)
            return shape, outputs, out_shape
        except Exception as exc:  # the user's forward: whatever it raises means "not this input"
            error = exc.__cause__ if isinstance(exc, UserCodeError) and exc.__cause__ is not None else exc
    tried = ", ".join("x".join(map(str, s)) for s in shapes)
    hint = "" if len(shapes) == 1 else "; give the size with --input CxHxW"
    message = " ".join(str(error).split())[:300]
    raise ModelFileError(f"{title} rejects a {tried} input ({type(error).__name__}: {message}){hint}")
