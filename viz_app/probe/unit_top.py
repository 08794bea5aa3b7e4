"""A selected unit's top MNIST digits, cut from the local test set around its receptive field.

The index (``viz_app.probe.unit_index``) says which digits and where; the pixels come from
the local MNIST copy. Without either, the answer is a message saying how to get it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from viz_app.models.loader import LoadedModel
from viz_app.probe.unit_folder import folder_index_path, folder_pixels
from viz_app.probe.unit_index import UnitIndex, index_path, read_index, weights_digest
from viz_app.records.units import TopImages
from viz_app.sources.mnist_files import local_test_images

_lock = threading.Lock()
_indexes: dict[tuple[Path, float], UnitIndex] = {}
_digests: dict[tuple[str, float], str] = {}


class Field(Protocol):
    """What of a receptive field the crops need (``viz_app.probe.extras.unit.FieldModel`` is one)."""

    @property
    def start(self) -> tuple[float, float]: ...  # (y0, x0) of unit (0, 0), unclipped

    @property
    def size(self) -> tuple[int, int]: ...  # (height, width)

    @property
    def jump(self) -> tuple[float, float]: ...  # pixels between neighbouring units


def _index(path: Path) -> UnitIndex:
    key = (path, path.stat().st_mtime)
    with _lock:
        if key not in _indexes:
            _indexes[key] = read_index(path)
        return _indexes[key]


def _layer_index(path: Path, layer: str, missing: str, how: str) -> tuple[UnitIndex | None, str]:
    """The index in ``path`` if it holds ``layer``; else None and what to tell the user
    (``missing`` when there is no index, ``how`` to make one)."""
    if not path.is_file():
        return None, missing
    try:
        table = _index(path)
    except (OSError, ValueError) as exc:
        return None, f"{exc}: {how}."
    if layer not in table.layers:
        return None, f"Top images are kept for the default layers ({', '.join(table.layers)}), not {layer}."
    return table, ""


def _weights(path: str) -> str:
    file = Path(path)
    key = (path, file.stat().st_mtime if file.is_file() else 0.0)
    if key not in _digests:
        _digests[key] = weights_digest(file)
    return _digests[key]


def network_pixels(digits: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """N x 28 x 28 digits padded to the network's input size as the model sees them (N x H x W)."""
    pad_h, pad_w = size[0] - digits.shape[-2], size[1] - digits.shape[-1]
    return np.pad(digits, ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2)))


def crop(pixels: np.ndarray, field: Field | None, row: int, col: int) -> np.ndarray:
    """The ``field`` window of unit (row, col) on an H x W input, zeros where it hangs over the edge."""
    if field is None or field.jump == (0.0, 0.0):
        return pixels
    h, w = field.size
    y0 = round(field.start[0] + row * field.jump[0])
    x0 = round(field.start[1] + col * field.jump[1])
    padded = np.pad(pixels, ((h, h), (w, w), *[(0, 0)] * (pixels.ndim - 2)))
    return padded[y0 + h : y0 + 2 * h, x0 + w : x0 + 2 * w]


def top_images(loaded: LoadedModel, layer: str, index: int, field: Field | None) -> tuple[TopImages | None, str]:
    """The unit's top images cut to its field, or None and what to do to see them.

    MNIST zoo models: the shipped index and the local MNIST test digits; other models: the
    index of a folder of the user's own images, if one was made."""
    spec = loaded.spec
    how = f"run `cnn-viz index {spec.name}`"
    if spec.group != "MNIST zoo" or spec.input.channels != 1:
        return _folder_top(loaded, layer, index, field)
    table, message = _layer_index(index_path(spec), layer, f"No top images yet: {how} (one pass over the MNIST test digits).", how)
    if table is None:
        return None, message
    if not loaded.trained or table.weights != _weights(loaded.weights):
        return None, f"The top images belong to {spec.name}'s shipped weights, not to {Path(loaded.weights).name}."
    test = local_test_images()
    if test is None:
        return None, f"No local MNIST copy to cut the top digits from: set CNN_VIZ_DATA to the MNIST folder, or {how} (it fetches MNIST once)."
    images, digest = test
    if digest != table.data:
        return None, f"The local MNIST test images are not the ones indexed: {how} again."
    ids = table.layers[layer].images[index].astype(np.int64)
    return _cut(table, layer, index, network_pixels(images[ids], spec.input.size), field, spec.classes, f"of {len(images):,} MNIST test digits"), ""


def _cut(table: UnitIndex, layer: str, index: int, pixels: np.ndarray, field: Field | None, classes: tuple[str, ...], source: str) -> TopImages:
    """The record of unit ``index``: its top inputs' ``pixels`` cut to its field around each one's strongest position."""
    top = table.layers[layer]
    crops = np.stack([crop(p, field, int(r), int(c)) for p, (r, c) in zip(pixels, top.positions[index])])
    labels = top.labels[index].astype(np.int64)
    names = tuple(classes[i] if 0 <= i < len(classes) else str(i) for i in labels)
    whole = crops.shape[1:] == pixels.shape[1:]
    ids = top.images[index].astype(np.int64)
    return TopImages(crops, top.values[index], labels, ids, float(top.mean[index]), whole, names, source)


def _folder_top(loaded: LoadedModel, layer: str, index: int, field: Field | None) -> tuple[TopImages | None, str]:
    """Top images from the index of the user's own folder (models without a local data set)."""
    spec = loaded.spec
    how = f"run `cnn-viz index {spec.name} --folder DIR` on a folder of your own images"
    path = folder_index_path(spec)
    table, message = _layer_index(path, layer, f"No top images: this model has no data set here; {how}.", how)
    if table is None:
        return None, message
    if table.weights != _weights(loaded.weights):
        return None, f"The top images in {path.name} belong to other weights than {Path(loaded.weights).name}: {how} again."
    try:
        pixels = folder_pixels(loaded, table, table.layers[layer].images[index].astype(np.int64))
    except (OSError, ValueError) as exc:  # ImageError is a ValueError
        return None, f"The indexed images cannot be read any more ({exc}): {how} again."
    return _cut(table, layer, index, pixels, field, spec.classes, f"of {len(table.files)} images in {Path(table.folder).name}"), ""
