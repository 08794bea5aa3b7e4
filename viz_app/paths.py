"""Where the shipped assets and resources live: inside the installed package, or beside it in a source checkout.

A built wheel carries the top-level ``assets/`` and ``resources/`` inside the package
(``viz_app/assets``, ``viz_app/resources``: pyproject.toml's force-include), so an installed copy
finds them with ``importlib.resources``. A source checkout (an editable install, or
``PYTHONPATH=.``) has no copy inside the package and uses the folders beside it.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path


def _shipped(name: str) -> Path:
    """``viz_app/<name>`` in an installed copy, else the checkout's top-level ``<name>``."""
    package = Path(str(files("viz_app")))
    inside = package / name
    return inside if inside.is_dir() else package.parent / name


def assets_dir() -> Path:
    """Folder with the trained weights, model cards and unit indexes (CNN_VIZ_ASSETS overrides)."""
    override = os.environ.get("CNN_VIZ_ASSETS")
    if override:
        return Path(override)
    return _shipped("assets")


def resources_dir() -> Path:
    """Folder with the icon and the style sheet."""
    return _shipped("resources")


def cache_dir() -> Path:
    """Per-user cache (downloaded MNIST), following XDG."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cnn-viz"
