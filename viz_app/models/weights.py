"""Safe loading of weights files and their model cards."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import torch
from torch import nn

MAX_WEIGHTS_BYTES = 4 << 30  # no model the app shows is bigger than this


class WeightsError(Exception):
    """A weights file that cannot be used, with a message a user can act on."""


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a state dict of tensors; refuse anything that is not plainly one."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path}")
    size = path.stat().st_size
    if size == 0:
        raise WeightsError(f"weights file is empty: {path}")
    if size > MAX_WEIGHTS_BYTES:
        raise WeightsError(f"weights file is too large ({size / 2**30:.1f} GiB): {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise WeightsError(
            f"refused to load {path.name}: it holds objects other than tensors "
            f"(a weights file must be a plain state dict) [{_first_line(exc)}]"
        ) from exc
    except Exception as exc:  # torch raises many kinds on damaged files (IndexError, RuntimeError, ...)
        raise WeightsError(f"{path.name} is not a readable PyTorch weights file: {_first_line(exc)}") from exc
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise WeightsError(f"{path.name} does not hold a state dict (names mapped to tensors)")
    return state


def apply_state_dict(model: nn.Module, state: dict[str, torch.Tensor], label: str) -> None:
    """Copy weights into a model, explaining any mismatch in names or shapes."""
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
    for k, v in state.items():
        if v.is_floating_point() and not torch.isfinite(v).all():
            raise WeightsError(f"{label} holds NaN or infinite values in {k}")
    model.load_state_dict(state, strict=True)


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
    """Write ``card`` beside a weights file (sorted keys, so diffs stay small); returns its path."""
    path = card_path(weights_path)
    path.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
