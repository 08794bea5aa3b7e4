"""MNIST from the original IDX files: a local folder, or fetched once through torchvision."""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from viz_app.errors import UserError
from viz_app.paths import cache_dir

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_IMAGES_MAGIC = 0x00000803
_LABELS_MAGIC = 0x00000801


class IDXError(UserError, ValueError):
    """An IDX file that is truncated, has the wrong magic number or does not match its pair."""


class DataNotFoundError(UserError, FileNotFoundError):
    """An MNIST folder, or one of its four files, that is not there."""


@dataclass(frozen=True)
class Digits:
    """Images (N x 28 x 28 uint8, 0 = background) with their labels (N, int64)."""

    images: np.ndarray
    labels: np.ndarray
    checksum: str  # sha256 of the raw image and label bytes

    def __len__(self) -> int:
        return len(self.labels)


def read_idx(path: str | Path, expected_magic: int) -> np.ndarray:
    """Read one IDX file (gzipped or not) into a uint8 array of the declared shape."""
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise IDXError(f"{path.name}: cannot read ({exc})") from exc
    if len(raw) < 8:
        raise IDXError(f"{path.name}: truncated IDX file ({len(raw)} bytes)")
    magic = int.from_bytes(raw[:4], "big")
    if magic != expected_magic:
        raise IDXError(f"{path.name}: wrong magic number 0x{magic:08x}, expected 0x{expected_magic:08x}")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXError(f"{path.name}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise IDXError(
            f"{path.name}: truncated or padded IDX file: header declares {shape} "
            f"({expected} bytes of data), file holds {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def _find(folder: Path, stem: str) -> Path:
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx") + ".gz", stem.replace("-idx", ".idx")):
        if (folder / name).is_file():
            return folder / name
    raise DataNotFoundError(f"{stem}.gz not found in {folder} (an MNIST folder holds the four IDX files)")


def data_folder(data: str | Path | None = None) -> Path:
    """The folder holding the four IDX files: --data, else $CNN_VIZ_DATA, else a torchvision download."""
    chosen = data or os.environ.get("CNN_VIZ_DATA")
    if chosen:
        folder = Path(chosen).expanduser()
        if folder.is_file():
            raise DataNotFoundError(f"{folder} is a file; --data takes the folder holding the four MNIST IDX files")
        if not folder.is_dir():
            raise DataNotFoundError(f"MNIST folder not found: {folder}")
        return folder
    return _download()


def _download() -> Path:
    from torchvision.datasets import MNIST

    root = cache_dir() / "data"
    raw = root / "MNIST" / "raw"
    if not all((raw / stem).is_file() or (raw / (stem + ".gz")).is_file() for pair in FILES.values() for stem in pair):
        print(f"Fetching MNIST into {root} (once) ...", flush=True)
        MNIST(str(root), train=True, download=True)
        MNIST(str(root), train=False, download=True)
    return raw


def load_split(split: str, data: str | Path | None = None) -> Digits:
    """The 'train' (60,000) or 'test' (10,000) split."""
    folder = data_folder(data)
    images_stem, labels_stem = FILES[split]
    images = read_idx(_find(folder, images_stem), _IMAGES_MAGIC)
    labels = read_idx(_find(folder, labels_stem), _LABELS_MAGIC)
    _check_digits(split, images, labels)
    digest = hashlib.sha256(images.tobytes())
    digest.update(labels.tobytes())
    return Digits(images, labels.astype(np.int64), digest.hexdigest())


def _check_digits(split: str, images: np.ndarray, labels: np.ndarray) -> None:
    """Refuse a split that is not MNIST-shaped: 28 x 28 images, labels 0-9, one label per image."""
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise IDXError(f"{split}: the images are {'x'.join(map(str, images.shape[1:])) or 'not images'}, MNIST's are 28x28")
    if labels.ndim != 1 or len(images) != len(labels):
        raise IDXError(f"{split}: {images.shape[0]} images but {labels.size} labels")
    if len(images) == 0:
        raise IDXError(f"{split}: the MNIST files hold no images")
    if labels.max() > 9:
        raise IDXError(f"{split}: label {int(labels.max())} found; MNIST's labels are the digits 0-9")
