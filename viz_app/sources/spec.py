"""The `--source` strings: pad, camera[:INDEX], video:PATH, image:PATH, mnist, demo[:SCENE]."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from viz_app.errors import UserError

KINDS = ("pad", "camera", "video", "image", "mnist", "demo")
VIDEO_SUFFIXES = (".avi", ".mp4", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")
SOURCE_HELP = (
    "input to start with: pad (default), camera[:INDEX], video:PATH, image:PATH (file or folder), mnist, "
    "or demo[:SCENE] (translation, scale, rotation, squeeze, stroke, salt_pepper, gaussian, styles)"
)


class SourceSpecError(UserError, ValueError):
    """A --source string that names no source, with a message saying what would."""


@dataclass(frozen=True)
class SourceSpec:
    """A parsed --source: the kind of source and its camera index or file path."""

    kind: str
    index: int = 0
    path: Path | None = None
    scene: str = ""  # the demo's scene ("": the first)

    def __str__(self) -> str:
        if self.kind == "camera":
            return f"camera:{self.index}"
        if self.path is not None:
            return f"{self.kind}:{self.path}"
        if self.scene:
            return f"demo:{self.scene}"
        return self.kind


def parse_source(text: str) -> SourceSpec:
    """A SourceSpec from a --source string; SourceSpecError for anything else.

    Paths are not checked here: a missing file is the source's message at start, so that
    the window still opens.
    """
    text = text.strip()
    kind, sep, arg = text.partition(":")
    kind = kind.lower()
    if kind not in KINDS:
        raise SourceSpecError(f"unknown source {text!r}; expected {SOURCE_HELP}")
    if kind in ("pad", "mnist"):
        if arg:
            raise SourceSpecError(f"source {kind!r} takes no argument (got {text!r})")
        return SourceSpec(kind)
    if kind == "demo":
        return SourceSpec("demo", scene=arg.strip().lower())
    if kind == "camera":
        if not arg:
            return SourceSpec("camera", 0)
        try:
            index = int(arg)
        except ValueError:
            raise SourceSpecError(f"camera index must be a whole number, got {arg!r}") from None
        if index < 0:
            raise SourceSpecError(f"camera index must be 0 or more, got {index}")
        return SourceSpec("camera", index)
    if not sep or not arg:
        raise SourceSpecError(f"source {kind!r} needs a path: {kind}:PATH")
    return SourceSpec(kind, path=Path(arg).expanduser())


def is_video(path: str | Path) -> bool:
    """Whether a file (opened or dropped in the window) is played as a video, by its suffix."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def argparse_source(text: str) -> SourceSpec:
    """``type=`` for argparse: the same parsing with argparse's error message."""
    import argparse

    try:
        return parse_source(text)
    except SourceSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
