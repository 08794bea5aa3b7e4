"""Top images from a folder of the user's own images, for models without a local data set.

ImageNet and user models have no test set here: ``cnn-viz index NAME --folder DIR`` runs the
model over the images in DIR (as the window would show each as a photo) and keeps the same
kind of index as the MNIST zoo's, labelled with the model's own predictions, in the user's
cache (``~/.cache/cnn-viz/units/NAME.units.npz``). The crops are cut from the files again when
a unit is selected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

from viz_app.errors import UserError
from viz_app.models.inputs import frame_to_tensor, input_pixels
from viz_app.models.loader import LoadedModel
from viz_app.models.registry import ModelSpec
from viz_app.paths import cache_dir
from viz_app.probe.unit_index import UnitIndex, scan, weights_digest
from viz_app.sources.images import ImageError, list_images, read_image

BATCH = 16


def folder_index_path(spec: ModelSpec) -> Path:
    """Where the index of the user's folder lives for ``spec``."""
    return cache_dir() / "units" / f"{spec.name}.units.npz"


def network_input(loaded: LoadedModel, path: Path) -> torch.Tensor:
    """One image file as the model's 1 x C x H x W input."""
    x, _ = frame_to_tensor(read_image(path), loaded.spec, loaded.device)
    return x


def _batches(loaded: LoadedModel, files: list[Path], kept: list[Path], skipped: list[str]) -> Iterator[torch.Tensor]:
    """Batches of network inputs; unreadable files are left out (``skipped``), the others listed in ``kept``."""
    pending: list[torch.Tensor] = []
    for path in files:
        try:
            pending.append(network_input(loaded, path))
        except ImageError as exc:
            skipped.append(str(exc))
            continue
        kept.append(path)
        if len(pending) == BATCH:
            yield torch.cat(pending)
            pending = []
    if pending:
        yield torch.cat(pending)


def build_folder_index(loaded: LoadedModel, folder: Path) -> tuple[UnitIndex, list[str]]:
    """The index of the images in ``folder`` for ``loaded``'s default layers, and the files left out (why)."""
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder of images")
    files = list_images(folder)
    kept: list[Path] = []
    skipped: list[str] = []
    if not files:
        raise UserError(f"no images in {folder} (png, jpg, bmp, tif, webp ...)")
    table, _ = scan(loaded, _batches(loaded, files, kept, skipped))
    if not kept:
        raise UserError(f"no image in {folder} could be read")
    digest = hashlib.sha256("\n".join(f"{p.name}:{p.stat().st_size}" for p in kept).encode()).hexdigest()[:16]
    index = UnitIndex(loaded.spec.name, weights_digest(loaded.weights), digest, table, str(folder.resolve()), tuple(p.name for p in kept))
    return index, skipped


def folder_pixels(loaded: LoadedModel, index: UnitIndex, ids: np.ndarray) -> np.ndarray:
    """The network-input pixels (N x H x W or N x H x W x 3 uint8) of the indexed files ``ids``."""
    folder = Path(index.folder)
    with torch.inference_mode():
        return np.stack([input_pixels(network_input(loaded, folder / index.files[i]), loaded.spec).cpu().numpy() for i in ids])
