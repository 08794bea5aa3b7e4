"""The one guarded boundary around a user's code: importing their file, building their model
and every forward it runs.

Whatever the user's code raises, ``SystemExit`` included, comes out as a ``UserCodeError``: one
line that says what was running and what it raised (the command line ends with it, exit 2; the
window shows it and keeps its model). Only what the app itself raises inside the call passes
unchanged: a ``UserError`` it already worded, and an ``Interruption`` (a hook that stops the
forward on purpose, ``Cancelled`` when the window is closing).
``KeyboardInterrupt`` stays what it is, so Ctrl+C still stops a command.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from torch import nn

from viz_app.errors import Interruption, UserError

T = TypeVar("T")


class UserCodeError(UserError, RuntimeError):
    """A user's model code failed; ``str()`` is one line: what ran, the error's type and message."""


def guarded(label: str, call: Callable[..., T], *args: Any, source: Path | None = None, during: str = "", **kwargs: Any) -> T:
    """``call(*args, **kwargs)``; anything the user's code raises becomes one UserCodeError.

    The message reads "``label`` raised ValueError``during`` (line 12): ..." ("net.py raised
    RuntimeError on import (line 4): no GPU here"); the line is that of ``source`` (the user's
    file) the error came from, when it came from there.
    """
    try:
        return call(*args, **kwargs)
    except (UserError, Interruption, KeyboardInterrupt):
        raise
    except BaseException as exc:  # noqa: BLE001 (SystemExit too: a user's sys.exit must not end the app)
        raise UserCodeError(f"{label} raised {type(exc).__name__}{during}{_line(exc, source)}: {_message(exc)}") from exc


def _line(exc: BaseException, source: Path | None) -> str:
    if source is None:
        return ""
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(source)]
    return f" (line {lines[-1]})" if lines else ""


def _message(exc: BaseException) -> str:
    """The error's message on one line, at most 300 characters; a sys.exit says its code."""
    if isinstance(exc, SystemExit):
        return f"sys.exit({exc.code!r})"
    message = " ".join(str(exc).split()) or "no message"
    return message if len(message) <= 300 else message[:297] + "..."


def guard_forward(model: nn.Module, label: str, source: Path | None = None) -> nn.Module:
    """``model`` whose every forward goes through ``guarded``: a user's forward that fails on a
    frame says so in one line (the layers' names, and so their hooks, stay as they are)."""
    forward = model.forward

    @functools.wraps(forward)
    def checked(*args: Any, **kwargs: Any) -> Any:
        return guarded(label, forward, *args, source=source, during=" in its forward", **kwargs)

    model.forward = checked
    return model
