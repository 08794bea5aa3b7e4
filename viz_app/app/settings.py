"""What the app remembers between runs: a typed record, read from and written to QSettings
only here. A value that is missing, of the wrong type or out of range is ignored on its own
(the window keeps its default for it), named in one message and dropped from the store, so
that the next start is clean; the others still apply. Writing never raises: a value that
cannot be stored is left out and named, and the others are still written."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields, replace
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from viz_app.records.frames import NormMode

RECORD_FORMATS = ("mp4", "gif")
CAMERA_INDICES = (0, 63)  # the indices the camera picker offers (list_cameras looks at /dev/video0-63)
PEN_WIDTHS = (1, 999)  # pixels on the 280x280 pad; the pen width box narrows this further
PIXELS = 16384  # the widest and tallest camera frame taken: 16K, twice what cameras give today
MAX_TEXT = 4096  # characters of a name or a folder (Linux's longest path)
MAX_LAYERS_TEXT = 1 << 18  # the chosen layers of every model ever shown, as JSON
MAX_BLOB = 1 << 16  # bytes of a saved window geometry (tens) or toolbar and dock layout (a few thousand)


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
        raw = bytes(raw.data())
    if isinstance(raw, bytes) and 0 < len(raw) <= MAX_BLOB:
        return raw
    raise ValueError


def _text(raw: object, longest: int = MAX_TEXT) -> str:
    if isinstance(raw, str) and raw.strip() and len(raw) <= longest:
        return raw
    raise ValueError


def _int(raw: object, lowest: int, highest: int) -> int:
    """A whole number in ``lowest``..``highest`` (an ini file stores it as text; a huge one must
    not reach Qt, whose ints are 64-bit: storing it again would overflow)."""
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        raw = int(raw)
    if type(raw) is int and lowest <= raw <= highest:
        return raw
    raise ValueError(f"not a whole number in {lowest}-{highest}")


def _ints(raw: object, bounds: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    """A JSON list of whole numbers, each within its (lowest, highest) of ``bounds``."""
    values = json.loads(_text(raw))
    if not isinstance(values, list) or len(values) != len(bounds):
        raise ValueError
    return tuple(_int(v, *bound) for v, bound in zip(values, bounds))


def _layers(raw: object) -> dict[str, tuple[str, ...]]:
    value = json.loads(_text(raw, MAX_LAYERS_TEXT))
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
        "pen_width": (lambda raw: _int(raw, *PEN_WIDTHS), same),
        "side_tab": (lambda raw: _text(raw, 200), same),
        "source": (lambda raw: _text(raw, 64), same),
        "camera_index": (lambda raw: _int(raw, *CAMERA_INDICES), same),
        "resolution": (lambda raw: _ints(raw, ((1, PIXELS),) * 2), as_json),
        "roi": (lambda raw: _ints(raw, ((0, PIXELS - 1),) * 2 + ((1, PIXELS),) * 2), as_json),  # x, y, width, height
        "snapshot_folder": (_text, same),
        "record_format": (_choice(RECORD_FORMATS), same),
    }


def read_settings(store: QSettings, models: Collection[str]) -> tuple[Settings, list[str]]:
    """The settings in ``store`` and, for each value that was ignored (and dropped from ``store``),
    its name and a short form of it.

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
            ignored.append(describe(name, raw))
            store.remove(name)
    return Settings(**values), ignored


def write_settings(store: QSettings, settings: Settings) -> list[str]:
    """Store ``settings`` (a None or empty value removes its key) and flush to disk; what could not
    be stored, each in a few words ([] when all was). Never raises: a value that reading would
    refuse (a camera index too large even for Qt) is left out, and the others are still written."""
    codecs = _codecs([settings.model] if settings.model else [])
    failed = []
    for item in fields(settings):
        name, value = item.name, getattr(settings, item.name)
        try:
            store.remove(name)
            if value is not None and value != {}:
                parse, dump = codecs[name]
                stored = dump(value)
                parse(stored)  # what the next start would ignore is not written
                store.setValue(name, stored)
        except Exception as exc:  # whatever a check or Qt raises, the close goes on
            failed.append(f"{describe(name, value)} ({str(exc) or type(exc).__name__})")
    store.sync()
    if store.status() != QSettings.Status.NoError:
        failed.append(f"the settings file {store.fileName()} could not be written")
    return failed


def without_layout(settings: Settings) -> Settings:
    """``settings`` with the window's geometry and state forgotten (View > Reset layout)."""
    return replace(settings, geometry=None, state=None)


def describe(name: str, raw: object) -> str:
    """A setting and its value as a message names them: ``camera index 99999999999999999999``,
    long values shortened."""
    text = repr(raw)
    return f"{name.replace('_', ' ')} {text if len(text) <= 40 else text[:37] + '…'}"
