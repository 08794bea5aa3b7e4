"""What the app remembers between runs: a typed record, read from and written to QSettings
only here. A value that is missing, of the wrong type or out of range is ignored on its own
(the window keeps its default for it) and named in one message; the others still apply."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields, replace
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from viz_app.records.frames import NormMode

RECORD_FORMATS = ("mp4", "gif")


@dataclass(frozen=True)
class Settings:
    """The remembered state of the window; None (or empty): never saved, the window's default."""

    geometry: bytes | None = None  # QMainWindow.saveGeometry()
    state: bytes | None = None  # QMainWindow.saveState(): toolbars and docks
    model: str | None = None
    layers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # chosen layers per model
    colour_mode: str | None = None  # a NormMode value
    pen_width: int | None = None
    side_tab: str | None = None  # the side tab's title
    source: str | None = None  # the input tab's source kind: "pad", "camera", "file", "mnist"
    camera_index: int | None = None
    resolution: tuple[int, int] | None = None  # the camera's, width x height
    roi: tuple[int, int, int, int] | None = None  # the camera view's region of interest, x, y, w, h
    snapshot_folder: str | None = None  # snapshots and recordings go here
    record_format: str | None = None  # "mp4" or "gif"


def _bytes(raw: object) -> bytes:
    if isinstance(raw, QByteArray) and not raw.isEmpty():
        return bytes(raw.data())
    if isinstance(raw, bytes) and raw:
        return raw
    raise ValueError


def _text(raw: object) -> str:
    if isinstance(raw, str) and raw.strip() and len(raw) < 4096:
        return raw
    raise ValueError


def _int(raw: object) -> int:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw)
    raise ValueError


def _ints(raw: object, count: int, minimum: int) -> tuple[int, ...]:
    values = json.loads(_text(raw))
    if not isinstance(values, list) or len(values) != count or not all(type(v) is int and v >= minimum for v in values):
        raise ValueError
    return tuple(values)


def _layers(raw: object) -> dict[str, tuple[str, ...]]:
    value = json.loads(_text(raw))
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, list) and all(isinstance(p, str) for p in v) for k, v in value.items()):
        raise ValueError
    return {k: tuple(v) for k, v in value.items()}


def _choice(options: Collection[str]) -> Callable[[object], str]:
    def parse(raw: object) -> str:
        if _text(raw) not in options:
            raise ValueError
        return str(raw)

    return parse


def _codecs(models: Collection[str]) -> dict[str, tuple[Callable[[object], Any], Callable[[Any], object]]]:
    """Per field: how a stored value is read (ValueError: ignore it) and how it is stored."""
    as_json: Callable[[Any], object] = lambda value: json.dumps(list(value) if isinstance(value, tuple) else value)  # noqa: E731
    same: Callable[[Any], object] = lambda value: value  # noqa: E731
    return {
        "geometry": (_bytes, QByteArray),
        "state": (_bytes, QByteArray),
        "model": (_choice(models), same),
        "layers": (_layers, lambda value: json.dumps({k: list(v) for k, v in value.items()})),
        "colour_mode": (_choice([m.value for m in NormMode]), same),
        "pen_width": (lambda raw: _ints(f"[{_int(raw)}]", 1, 1)[0], same),
        "side_tab": (_text, same),
        "source": (_text, same),
        "camera_index": (lambda raw: _ints(f"[{_int(raw)}]", 1, 0)[0], same),
        "resolution": (lambda raw: _ints(raw, 2, 1), as_json),
        "roi": (lambda raw: _ints(raw, 4, 0), as_json),
        "snapshot_folder": (_text, same),
        "record_format": (_choice(RECORD_FORMATS), same),
    }


def read_settings(store: QSettings, models: Collection[str]) -> tuple[Settings, list[str]]:
    """The settings in ``store`` and, for each value that was ignored, a short description of it.

    ``models``: the names a saved model may have (an unknown one is ignored).
    """
    if store.status() != QSettings.Status.NoError:
        return Settings(), [f"the settings file {store.fileName()} is unreadable"]
    values: dict[str, Any] = {}
    ignored: list[str] = []
    for name, (parse, _dump) in _codecs(models).items():
        raw = store.value(name)
        if raw is None:
            continue
        try:
            values[name] = parse(raw)
        except (ValueError, TypeError, RecursionError):  # json.JSONDecodeError is a ValueError
            ignored.append(f"{name.replace('_', ' ')} {_short(raw)}")
    return Settings(**values), ignored


def write_settings(store: QSettings, settings: Settings) -> None:
    """Store ``settings`` (a None or empty value removes its key) and flush to disk."""
    codecs = _codecs(())
    for item in fields(settings):
        value = getattr(settings, item.name)
        if value is None or value == {}:
            store.remove(item.name)
        else:
            store.setValue(item.name, codecs[item.name][1](value))
    store.sync()


def without_layout(settings: Settings) -> Settings:
    """``settings`` with the window's geometry and state forgotten (View > Reset layout)."""
    return replace(settings, geometry=None, state=None)


def _short(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "…"
