"""Writing a file whole or not at all: weights, model cards, indexes, snapshots and recordings.

A file is written under a hidden temporary name in its own folder, flushed to the disk, and
only then renamed onto its name (a rename within a folder is atomic). A full disk, a writer
that fails or an interrupted run leave the earlier file under that name as it was, or none,
never a truncated one that a later start would trip over.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from viz_app.errors import UserError


class WriteError(UserError, OSError):
    """A file could not be written; ``str()`` names it and says why. A UserError, so that a
    command ends in one line; an OSError, so that code which handles a failed write keeps doing so."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"could not write {path}: {reason}")
        self.path, self.reason = path, reason


def reason_of(exc: BaseException) -> str:
    """What went wrong, in words: the system's for an OSError (e.g. "No space left on device")."""
    if isinstance(exc, WriteError):
        return exc.reason
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _temporary(target: Path) -> Path:
    """A new empty file ``.STEM.XXXXXXXXXXXX.tmpSUFFIX`` beside ``target``: hidden, marked as
    unfinished, and with ``target``'s suffix, by which writers such as OpenCV and Pillow pick the
    format. Created with the permissions a plain open would give (mkstemp's are owner-only)."""
    path = target.with_name(f".{target.stem}.{secrets.token_hex(6)}.tmp{target.suffix}")
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # never an existing file
    return path


def _sync(path: Path) -> None:
    """Flush ``path``'s data to the disk (a full disk may only show here)."""
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` for a writer that wants a path (torch.save, QImage.save,
    a VideoWriter); when the block ends without an error, the file there is synced and renamed
    onto ``target``. On any error the temporary file is removed and WriteError names ``target``."""
    try:
        part = _temporary(target)
    except OSError as exc:
        raise WriteError(target, reason_of(exc)) from exc
    try:
        yield part
        _sync(part)
        os.replace(part, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):  # the first error is the one to tell
            part.unlink(missing_ok=True)
        if isinstance(exc, Exception):
            raise WriteError(target, reason_of(exc)) from exc
        raise  # Ctrl+C and the like stay what they are


def write_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` whole or not at all (see ``atomic_path``)."""
    with atomic_path(target) as part:
        part.write_text(text, encoding="utf-8")
