"""Where the shipped assets and resources live, in a source checkout or an installed copy."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[1]


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def assets_dir() -> Path:
    """Folder with the trained weights and model cards (CNN_VIZ_ASSETS overrides)."""
    override = os.environ.get("CNN_VIZ_ASSETS")
    if override:
        return Path(override)
    return _first_existing(_SOURCE_ROOT / "assets", Path(sys.prefix) / "share" / "cnn-viz" / "assets")


def resources_dir() -> Path:
    """Folder with icons and style sheets."""
    return _first_existing(_SOURCE_ROOT / "resources", Path(sys.prefix) / "share" / "cnn-viz" / "resources")


def cache_dir() -> Path:
    """Per-user cache (downloaded MNIST), following XDG."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cnn-viz"
