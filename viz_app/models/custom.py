"""A user's own network: ``torchvision:NAME``, ``net.py:build`` or ``net.onnx``, opened like a zoo model.

A model file is the user's own code, run as ``python net.py`` would run it. What the model
eats comes from the flags (``ModelOptions``), else from a JSON sidecar beside the file
(``net.json``: ``{"input": "1x28x28", "mean": [0.1307], "std": [0.3081], "classes": "labels.txt",
"weights": "net.pt"}``), else from the model itself (its first convolution's channels, an
input size it accepts). The layers shown are chosen by ``auto_layers``. Every problem is a
UserError naming it; nothing is registered then, so the window keeps its model.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import nn

from viz_app.errors import UserError
from viz_app.models.auto_layers import choose_layers, trace_outputs
from viz_app.models.registry import MNIST_MEAN, MNIST_STD, ModelSpec, add_resolver, get_spec
from viz_app.models.weights import existing_file

GROUP = "Your models"
MAX_SOURCE_BYTES = 10 << 20  # a model's Python file; anything bigger is not source code
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
    """The registered spec of ``text``, opened afresh (a file edited since is read again)."""
    from viz_app.models.registry import register_model

    spec = _resolve(text, options or ModelOptions())
    if spec is None:
        return get_spec(text)
    return register_model(spec, replace=True)


def _resolve(text: str, options: ModelOptions | None = None) -> ModelSpec | None:
    options = options or ModelOptions()
    if text.startswith("torchvision:"):
        from viz_app.models.torchvision_any import torchvision_spec

        return torchvision_spec(text.split(":", 1)[1])
    if text.lower().endswith(".onnx"):
        from viz_app.models.onnx_model import onnx_spec

        return onnx_spec(Path(text), options)
    file, _, func = text.partition(":") if ".py:" in text or text.endswith(".py") else ("", "", "")
    if not file:
        return None
    return python_spec(Path(file), func or "build", options)


def python_spec(path: Path, func: str, options: ModelOptions) -> ModelSpec:
    """The spec of ``func()`` in the user's ``path``: imported once here to check it."""
    path = check_file(path, MAX_SOURCE_BYTES, "model file")
    module = _import(path)
    build = getattr(module, func, None)
    if not callable(build):
        found = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_") and getattr(v, "__module__", "") == module.__name__)
        raise ModelFileError(f"{path.name} has no function {func}() that builds the model (it defines: {', '.join(found) or 'nothing callable'})")
    name = f"{path}:{func}"
    return user_spec(name, f"{path.name}:{func}", _checked_builder(build, f"{path.name}:{func}()"), path, options, family="Python")


def _checked_builder(build: Callable[[], Any], label: str) -> Callable[[], nn.Module]:
    def builder() -> nn.Module:
        try:
            model = build()
        except Exception as exc:
            raise ModelFileError(f"{label} failed: {type(exc).__name__}: {exc}") from exc
        if not isinstance(model, nn.Module):
            raise ModelFileError(f"{label} returned {type(model).__name__}, not a torch.nn.Module")
        return model

    return builder


def _import(path: Path) -> Any:
    """Run the user's file as a module of its own (its folder importable, as ``python net.py`` has)."""
    name = "cnn_viz_user_" + "".join(c if c.isalnum() else "_" for c in path.stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ModelFileError(f"{path.name} cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's code: any error is theirs to see, in one line
        where = next((f" (line {f.lineno})" for f in reversed(_frames(exc)) if f.filename == str(path)), "")
        raise ModelFileError(f"{path.name} raised {type(exc).__name__} on import{where}: {exc}") from exc
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return module


def _frames(exc: BaseException) -> list[Any]:
    import traceback

    return list(traceback.extract_tb(exc.__traceback__))


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
    """A spec for a user's model: input, classes, normalisation and layers, each checked on one forward."""
    side = sidecar(path)
    model = builder().eval()
    given = options.input or side.get("input")
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
        name=name, title=title, builder=builder, group=GROUP, family=family, input_size=(h, w), channels=c,
        mean=tuple(float(m) for m in mean) * (c // len(mean)), std=tuple(float(s) for s in std) * (c // len(std)),
        classes=classes, layers=choose_layers(outputs, out_shape, (c, h, w)),
        weights_file=str(Path(weights).expanduser().resolve()) if weights else None,
        recipe={"source": name}, own_weights=None if weights else own_weights,
    )


def _guesses(model: nn.Module) -> list[tuple[int, int, int]]:
    channels = first_channels(model)
    kinds = [channels] if channels in GUESSES else [1, 3]
    return [(c, *hw) for c in kinds for hw in GUESSES[c]]


def _first_accepted(model: nn.Module, shapes: list[tuple[int, int, int]], title: str) -> tuple[tuple[int, int, int], Any, tuple[int, ...]]:
    """The first input shape the model runs on, with its traced outputs; a clear error when none."""
    error: Exception | None = None
    for shape in shapes:
        try:
            outputs, out_shape = trace_outputs(model, shape)
            return shape, outputs, out_shape
        except Exception as exc:  # the user's forward: whatever it raises means "not this input"
            error = exc
    tried = ", ".join("x".join(map(str, s)) for s in shapes)
    hint = "" if len(shapes) == 1 else "; give the size with --input CxHxW"
    raise ModelFileError(f"{title} rejects a {tried} input ({type(error).__name__}: {error}){hint}")


def _resolver(text: str) -> ModelSpec | None:
    """``get_spec``'s way to a user's model: registered under its full name, found again by ``text``."""
    spec = _resolve(text) if is_model_spec(text) else None
    if spec is not None and text != spec.name and text not in spec.aliases:
        spec = dataclasses.replace(spec, aliases=(*spec.aliases, text))
    return spec


add_resolver(_resolver)
