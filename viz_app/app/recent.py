"""The models opened from files or by torchvision name, newest first, kept in the app's settings."""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

from viz_app.ui.trust import MAX_TRUSTED

RECENT_KEY = "models/recent"
MAX_RECENT = 8
TRUSTED_KEY = "models/trusted_code"  # SHA-256 of the Python model files the user let run (ui.trust)


def is_opened_model(name: str) -> bool:
    """Whether ``name`` is a model opened from a file or by torchvision name (not a registered one)."""
    return name.startswith("torchvision:") or name.lower().endswith((".onnx", ".py")) or ".py:" in name


def _json_list(store: QSettings, key: str) -> list[object]:
    """The JSON list kept under ``key``; [] when it is missing, unreadable or not a list."""
    try:
        items = json.loads(str(store.value(key, "[]")))
    except ValueError:
        return []
    return items if isinstance(items, list) else []


def read_recent(store: QSettings) -> list[tuple[str, str]]:
    """(name, title) of the models opened before, newest first; [] when unreadable."""
    items = _json_list(store, RECENT_KEY)
    return [(str(i[0]), str(i[1])) for i in items if isinstance(i, list) and len(i) == 2][:MAX_RECENT]


def write_recent(store: QSettings, recent: list[tuple[str, str]]) -> None:
    store.setValue(RECENT_KEY, json.dumps([list(item) for item in recent[:MAX_RECENT]]))


def read_trusted(store: QSettings) -> list[str]:
    """The contents (SHA-256, hex) of the Python model files allowed to run before; [] when unreadable.
    Anything that is not such a digest is left out."""
    items = _json_list(store, TRUSTED_KEY)
    return [i for i in items if isinstance(i, str) and len(i) == 64 and all(c in "0123456789abcdef" for c in i)][-MAX_TRUSTED:]


def write_trusted(store: QSettings, trusted: list[str]) -> None:
    store.setValue(TRUSTED_KEY, json.dumps(trusted[-MAX_TRUSTED:]))


def user_store() -> QSettings:
    """The settings the window keeps (QSettings() of the application "cnn-viz" of "cnn-viz")."""
    return QSettings("cnn-viz", "cnn-viz")
