"""Safe loading of weights files and their model cards."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from viz_app.errors import UserError
from viz_app.files import write_text

MAX_WEIGHTS_BYTES = 4 << 30  # no model the app shows is bigger than this
PICKLE_ALLOWANCE = 1 << 20  # the pickle naming the tensors, and a zip's small records
MAX_ENTRIES = 100_000  # a zip with more is no weights file


class WeightsError(UserError):
    """A weights file that cannot be used, with a message a user can act on."""


def existing_file(path: Path, kind: str, error: type[UserError]) -> int:
    """The size of ``path``; ``error`` with a line naming ``kind`` when it is a folder, missing or empty."""
    if path.is_dir():
        raise error(f"{path} is a folder, not a {kind}")
    if not path.is_file():
        raise error(f"{kind} not found: {path}")
    size = path.stat().st_size
    if size == 0:
        raise error(f"{kind} is empty: {path}")
    return size


def state_bytes(model: nn.Module) -> int:
    """Bytes of a model's parameters and buffers: what a weights file for it holds."""
    return sum(t.numel() * t.element_size() for t in model.state_dict().values())


def allowance(model: nn.Module) -> int:
    """The most a weights file for ``model`` may make the loader allocate.

    Twice its own tensors (a checkpoint may keep a few extra buffers) plus room for the
    pickle that names them; a file declaring more is refused before anything is read.
    """
    return 2 * state_bytes(model) + PICKLE_ALLOWANCE


def read_state_dict(path: str | Path, max_bytes: int = MAX_WEIGHTS_BYTES, label: str = "this model") -> dict[str, torch.Tensor]:
    """Read a state dict of tensors that declares at most ``max_bytes``; refuse anything else.

    The sizes a file declares (a zip's entries may be compressed: a small file can declare
    gigabytes) are checked before torch reads a byte of tensor data, and the unpickler only
    builds tensors (``weights_only``): a pickle that would run code is refused unrun.
    """
    path = Path(path)
    existing_file(path, "weights file", WeightsError)
    declared = _declared_bytes(path)
    if declared > max_bytes:
        raise WeightsError(
            f"{path.name} is too large for {label}: it declares {_mib(declared)} of data, "
            f"{label} needs at most {_mib(max_bytes)} - is it the weights of another model?"
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise WeightsError(
            f"refused to load {path.name}: besides tensors it holds Python objects that would run code when "
            "opened; a weights file must be a plain state dict (save one with torch.save(model.state_dict(), path))"
        ) from exc
    except Exception as exc:  # torch raises many kinds on damaged files (IndexError, RuntimeError, ...)
        raise WeightsError(f"{path.name} is not a readable PyTorch weights file (damaged or cut short?)") from exc
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise WeightsError(f"{path.name} does not hold a state dict (names mapped to tensors)")
    return state


def _declared_bytes(path: Path) -> int:
    """What reading ``path`` may allocate: the uncompressed sizes its zip entries declare.

    Only torch's zip format (torch.save's default since PyTorch 1.6) is read: the older
    format declares its tensors' sizes inside the pickle, where nothing can check them first.
    """
    with path.open("rb") as file:
        zip_like = file.read(4) == b"PK\x03\x04"
    if not zipfile.is_zipfile(path):
        if zip_like:
            raise WeightsError(f"{path.name} is not a readable PyTorch weights file (damaged or cut short?)")
        raise WeightsError(
            f"{path.name} is not a PyTorch weights file of the current format (a zip archive, torch.save's "
            "default since PyTorch 1.6); re-save the state dict with torch.save(state_dict, path)"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WeightsError(f"{path.name} is not a readable PyTorch weights file (its zip directory is damaged)") from exc
    if len(entries) > MAX_ENTRIES:
        raise WeightsError(f"{path.name} has {len(entries):,} entries; a weights file has one per tensor")
    return sum(entry.file_size for entry in entries)


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB" if n >= 2**20 else f"{n / 2**10:,.1f} KiB"


def apply_state_dict(model: nn.Module, state: dict[str, torch.Tensor], label: str) -> list[str]:
    """Copy weights into a model, explaining any mismatch in names, shapes or number types; the
    notes a user should see (float weights of another precision, converted)."""
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    wrong = [
        f"{k}: file {tuple(state[k].shape)}, model {tuple(own[k].shape)}"
        for k in own
        if k in state and state[k].shape != own[k].shape
    ]
    if missing or unexpected or wrong:
        parts = []
        if wrong:
            parts.append("shapes differ: " + "; ".join(wrong[:3]) + (" ..." if len(wrong) > 3 else ""))
        if missing:
            parts.append(f"{len(missing)} missing (e.g. {missing[0]})")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected (e.g. {unexpected[0]})")
        raise WeightsError(f"{label} does not fit this model: " + "; ".join(parts))
    converted: set[tuple[str, str]] = set()  # (the file's dtype, the model's)
    for k, v in state.items():
        want = own[k].dtype
        if own[k].is_floating_point() and not v.is_floating_point():  # int8, complex64, bool: not weights this model reads
            raise WeightsError(f"{label} holds {str(v.dtype).removeprefix('torch.')} values in {k}, where the model has "
                               f"{str(want).removeprefix('torch.')} weights; save the float weights (quantised or complex ones are not read)")  # fmt: skip
        if v.is_floating_point() and not torch.isfinite(v).all():
            raise WeightsError(f"{label} holds NaN or infinite values (in {k}); weights like these predict nothing")
        if v.is_floating_point() and v.dtype != want:
            converted.add((str(v.dtype).removeprefix("torch."), str(want).removeprefix("torch.")))
    model.load_state_dict(state, strict=True)  # copies each tensor into the model's own dtype
    return [f"{label} holds {theirs} weights: converted to the model's {ours}" for theirs, ours in sorted(converted)]


def card_path(weights_path: str | Path) -> Path:
    """Where the model card (json) of a weights file lives: beside it, same name."""
    return Path(weights_path).with_suffix(".json")


def read_card(weights_path: str | Path) -> dict[str, Any]:
    """The model card beside a weights file, or an empty dict when there is none or it is unreadable."""
    path = card_path(weights_path)
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return card if isinstance(card, dict) else {}


def write_card(weights_path: str | Path, card: dict[str, Any]) -> Path:
    """Write ``card`` beside a weights file (sorted keys, so diffs stay small), whole or not at all; returns its path."""
    path = card_path(weights_path)
    write_text(path, json.dumps(card, indent=2, sort_keys=True) + "\n")
    return path
