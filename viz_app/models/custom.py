"""A user's network in a Python file, ``net.py[:build]``: run as ``python net.py`` would run it,
then opened like a zoo model (see ``user_model``)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from torch import nn

from viz_app.models.guard import guarded
from viz_app.models.registry import ModelSpec, add_resolver
from viz_app.models.trial import TimeLimitError, try_file
from viz_app.models.user_model import ModelFileError, ModelOptions, check_file, named, user_spec

MAX_SOURCE_BYTES = 10 << 20  # a model's Python file; anything bigger is not source code


def _resolver(text: str, options: object | None) -> ModelSpec | None:
    """``net.py`` or ``net.py:function``; None for any other text."""
    file, _, func = text.partition(":") if ".py:" in text or text.endswith(".py") else ("", "", "")
    if not file:
        return None
    opened = options if isinstance(options, ModelOptions) else ModelOptions()
    return named(python_spec(Path(file), func or "build", opened), text)


def python_spec(path: Path, func: str, options: ModelOptions) -> ModelSpec:
    """The spec of ``func()`` in the user's ``path``: imported once here to check it."""
    path = check_file(path, MAX_SOURCE_BYTES, "model file")
    try:
        try_file(path, func)  # in a child process first: a file that never finishes importing or building is not run here
    except TimeLimitError as exc:
        raise ModelFileError(str(exc)) from None
    module = _import(path)
    build = getattr(module, func, None)
    if not callable(build):
        found = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_") and getattr(v, "__module__", "") == module.__name__)
        raise ModelFileError(f"{path.name} has no function {func}() that builds the model (it defines: {', '.join(found) or 'nothing callable'})")
    name = f"{path}:{func}"
    return user_spec(name, f"{path.name}:{func}", _checked_builder(build, f"{path.name}:{func}()", path), path, options, family="Python")


def _checked_builder(build: Callable[[], Any], label: str, source: Path) -> Callable[[], nn.Module]:
    def builder() -> nn.Module:
        model = guarded(label, build, source=source)
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
        guarded(path.name, spec.loader.exec_module, module, source=path, during=" on import")
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return module


add_resolver(_resolver)
