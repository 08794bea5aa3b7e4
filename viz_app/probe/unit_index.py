"""Each unit's strongest MNIST test digits, found in one pass over the test set.

For every unit of every default layer of a model (a channel of a feature map, or a dense
unit) the index keeps the ``TOP`` test digits that excite it most (a channel's strength on a
digit is its strongest position), where on the map that was, the value, the digit's label,
and the unit's mean activation over the test set. Indices and positions only, never pixels:
the unit panel cuts the digits from the local MNIST copy. Stored beside the model's weights
(``assets/<name>.units.npz``) with fingerprints of the weights and of the images it was made on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from viz_app.files import atomic_path
from viz_app.models.inputs import digits_to_tensor
from viz_app.models.loader import LoadedModel
from viz_app.models.registry import ModelSpec
from viz_app.paths import assets_dir
from viz_app.sources.mnist_files import images_digest

TOP = 9
BATCH = 500
VERSION = 1


@dataclass(frozen=True)
class LayerTop:
    """One layer's strongest digits per unit (C units, K digits each, strongest first)."""

    images: np.ndarray  # C x K uint16 test-set indices
    positions: np.ndarray  # C x K x 2 uint8 (row, col) of the unit's strongest position on each (0, 0 for dense units)
    values: np.ndarray  # C x K float32 activations there
    labels: np.ndarray  # C x K uint8 the digits' labels
    mean: np.ndarray  # C float32 mean activation over the test set and all positions


@dataclass(frozen=True)
class UnitIndex:
    """A model's top digits for every unit of its default layers."""

    model: str
    weights: str  # fingerprint of the weights file it was made with
    data: str  # fingerprint of the test images it was made on
    layers: dict[str, LayerTop]
    folder: str = ""  # an index of the user's own images: their folder
    files: tuple[str, ...] = field(default_factory=tuple)  # and their file names, in index order


def index_path(spec: ModelSpec) -> Path:
    """Where the model's index lives: next to its shipped weights."""
    return assets_dir() / f"{spec.name}.units.npz"


def weights_digest(path: str | Path) -> str:
    """A short fingerprint of a weights file ("" when there is none)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


class _Reducer:
    """Forward hooks that reduce each layer's output at once to (strongest value, its position, mean) per unit.

    Reducing inside the hook keeps nothing of the map, and an in-place rectifier that later
    rewrites the tensor cannot change what was recorded.
    """

    def __init__(self, loaded: LoadedModel, layers: Sequence[str]) -> None:
        modules = dict(loaded.model.named_modules())
        missing = [name for name in layers if name not in modules]
        if missing:
            raise ValueError(f"{loaded.spec.name} has no layer {missing[0]!r}")
        self.reduced: dict[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}
        self.widths: dict[str, int] = {}
        self._handles = [modules[name].register_forward_hook(self._hook(name)) for name in layers]

    def _hook(self, name: str) -> Any:
        def reduce(module: torch.nn.Module, inputs: Any, out: Any) -> None:
            if not isinstance(out, torch.Tensor) or out.dim() not in (2, 4):
                raise ValueError(f"layer {name} gives no N x C or N x C x H x W tensor")
            flat = out.detach().float().reshape(out.shape[0], out.shape[1], -1)  # N x C x HW
            value, position = flat.max(2)  # N x C
            self.reduced[name] = (value, position, flat.mean(2))
            self.widths[name] = out.shape[-1] if out.dim() == 4 else 1

        return reduce

    def remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []


def scan(loaded: LoadedModel, batches: Iterable[torch.Tensor], layers: Sequence[str] | None = None,
         top: int = TOP) -> tuple[dict[str, LayerTop], np.ndarray]:  # fmt: skip
    """The ``top`` strongest inputs of ``batches`` (network inputs) for every unit of ``layers``
    (default: the model's default layers), labelled with the model's own predictions; and those predictions."""
    names = list(layers) if layers is not None else [path for path, _ in loaded.spec.layers]
    best: dict[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}  # values, input indices, positions: C x k
    sums: dict[str, torch.Tensor] = {}
    predictions: list[torch.Tensor] = []
    start = 0
    reducer = _Reducer(loaded, names)
    try:
        for x in batches:
            with torch.inference_mode():
                logits = loaded.model(x)
            predictions.append(logits.argmax(1).cpu())
            for name, (value, position, mean) in reducer.reduced.items():
                ids = torch.arange(start, start + len(x), device=value.device).expand(value.shape[1], -1)  # C x N
                old = best.get(name)
                values, indices, positions = (value.T, ids, position.T) if old is None else (
                    torch.cat([old[0], value.T], 1), torch.cat([old[1], ids], 1), torch.cat([old[2], position.T], 1))  # fmt: skip
                kept, order = values.topk(min(top, values.shape[1]), dim=1)  # strongest first
                best[name] = (kept, indices.gather(1, order), positions.gather(1, order))
                sums[name] = sums.get(name, 0) + mean.sum(0)
            reducer.reduced.clear()
            start += len(x)
    finally:
        reducer.remove()
    predicted = torch.cat(predictions).numpy()
    table = {}
    for name in names:
        top_values, top_ids, top_where = (np.asarray(t.cpu().numpy()) for t in best[name])
        width = reducer.widths[name]
        rows_cols = np.stack([top_where // width, top_where % width], -1).astype(np.uint8)
        unit_mean = np.asarray((sums[name] / start).cpu().numpy(), np.float32)
        table[name] = LayerTop(top_ids.astype(np.uint16), rows_cols, top_values.astype(np.float32), predicted[top_ids].astype(np.uint16), unit_mean)
    return table, predicted


def build_index(loaded: LoadedModel, images: np.ndarray, labels: np.ndarray, layers: Sequence[str] | None = None,
                top: int = TOP, batch: int = BATCH) -> UnitIndex:  # fmt: skip
    """The ``top`` strongest of ``images`` (N x 28 x 28 uint8 digits) for every unit of ``layers``, with their true labels."""
    batches = (digits_to_tensor(images[i : i + batch], loaded.spec, loaded.device) for i in range(0, len(images), batch))  # N x 1 x 32 x 32
    table, _ = scan(loaded, batches, layers, top)
    table = {name: replace(layer, labels=labels[layer.images.astype(np.int64)].astype(np.uint8)) for name, layer in table.items()}
    return UnitIndex(loaded.spec.name, weights_digest(loaded.weights), images_digest(images), table)


def save_index(index: UnitIndex, path: Path) -> int:
    """Write ``index`` to ``path`` (compressed numpy arrays), whole or not at all; returns the file's size in bytes."""
    meta = {"version": VERSION, "model": index.model, "weights": index.weights, "data": index.data, "layers": list(index.layers),
            "folder": index.folder, "files": list(index.files)}  # fmt: skip
    arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta))}
    for i, layer in enumerate(index.layers.values()):
        arrays |= {f"{name}{i}": getattr(layer, name) for name in ("images", "positions", "values", "labels", "mean")}
    with atomic_path(path) as part, open(part, "wb") as out:
        np.savez_compressed(out, **arrays)
    return path.stat().st_size


def read_index(path: Path) -> UnitIndex:
    """The index stored at ``path``; ValueError when it is not one this version reads."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            names = meta["layers"] if meta.get("version") == VERSION else []
            layers = {name: LayerTop(*(data[f"{part}{i}"] for part in ("images", "positions", "values", "labels", "mean"))) for i, name in enumerate(names)}
    except (OSError, KeyError, ValueError, TypeError) as exc:  # json's errors are ValueErrors
        raise ValueError(f"{path.name} is not a unit index ({exc})") from exc
    if meta.get("version") != VERSION:
        raise ValueError(f"{path.name} is an index of another version; make it again")
    return UnitIndex(meta["model"], meta["weights"], meta["data"], layers, meta.get("folder", ""), tuple(meta.get("files", ())))
