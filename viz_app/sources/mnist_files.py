"""The local MNIST test images, when a copy is there (never downloaded from here).

The unit panel cuts its top digits from them; the folder is the one ``cnn-viz train`` and
``cnn-viz index`` use: $CNN_VIZ_DATA, else the cache torchvision downloads into.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
import zlib
from pathlib import Path

import numpy as np

from viz_app.paths import cache_dir

TEST_IMAGES = "t10k-images-idx3-ubyte"
_IMAGES_MAGIC = 0x00000803
_lock = threading.Lock()
_cache: dict[tuple[Path, float], tuple[np.ndarray, str]] = {}


def default_folders() -> list[Path]:
    """Where a local MNIST copy is looked for, in order."""
    chosen = os.environ.get("CNN_VIZ_DATA")
    folders = [Path(chosen).expanduser()] if chosen else []
    return [*folders, cache_dir() / "data" / "MNIST" / "raw"]


def find_test_images(folder: Path | None = None) -> Path | None:
    """The test images' IDX file (gzipped or not) in ``folder`` or the default folders, if any."""
    for place in [folder] if folder is not None else default_folders():
        for name in (TEST_IMAGES + ".gz", TEST_IMAGES, "t10k-images.idx3-ubyte.gz", "t10k-images.idx3-ubyte"):
            if (place / name).is_file():
                return place / name
    return None


def read_images(path: Path) -> np.ndarray:
    """N x H x W uint8 from an IDX image file; ValueError when it is not one."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"{path.name}: cannot read ({exc})") from exc
    if len(raw) < 16 or int.from_bytes(raw[:4], "big") != _IMAGES_MAGIC:
        raise ValueError(f"{path.name} is not an IDX image file")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(3))
    if len(raw) - 16 != int(np.prod(shape)):
        raise ValueError(f"{path.name}: truncated IDX file")
    return np.frombuffer(raw, np.uint8, offset=16).reshape(shape)


def local_test_images(folder: Path | None = None) -> tuple[np.ndarray, str] | None:
    """The MNIST test images (read once per file) and their fingerprint, or None without a readable local copy."""
    path = find_test_images(folder)
    if path is None:
        return None
    key = (path.resolve(), path.stat().st_mtime)
    with _lock:
        if key not in _cache:
            try:
                images = read_images(path)
            except ValueError:
                return None
            _cache[key] = (images, images_digest(images))
        return _cache[key]


def images_digest(images: np.ndarray) -> str:
    """A short fingerprint of a set of images (an index is valid only for the images it was made on)."""
    return hashlib.sha256(np.ascontiguousarray(images).tobytes()).hexdigest()[:16]
