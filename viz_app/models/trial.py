"""A user's Python model file tried in a child process, under a time limit, before this process runs it.

Importing a file and calling its ``build()`` runs the user's code, which may sleep, loop or wait
for a network forever. A thread cannot be stopped in the middle of Python code, so the file is
first imported and built in a child process (the model on torch's meta device: no memory for
its weights), which is killed when the limit passes (``--timeout``, 10 s by default) or when
the app closes (``cancel.current_event``). Only a file that imports and builds in time is then
imported here. What the child raises does not matter: the guarded import here says it in one
line. A trial that passed is remembered for the file's content and the function's name.

The child runs ``trial_child.py`` by its path, so that it imports torch and the user's file only.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from viz_app.models.cancel import Cancelled, current_event

CHILD = Path(__file__).with_name("trial_child.py")
DEFAULT_TIMEOUT_S = 10.0
_POLL_S = 0.05
_limit_s = DEFAULT_TIMEOUT_S
_passed: set[tuple[str, str]] = set()  # (file's SHA-256, function) that imported and built in time


class TimeLimitError(Exception):
    """The user's file did not import and build within the time limit (a UserError where raised: see ``try_file``)."""


def set_time_limit(seconds: float) -> None:
    """The limit of every later trial (``--timeout``)."""
    global _limit_s
    _limit_s = seconds


def try_file(path: Path, func: str, timeout: float | None = None) -> None:
    """Return once ``path`` imports and ``func()`` returns in a child process within ``timeout``
    seconds (the ``--timeout`` given, else 10); TimeLimitError when it does not, Cancelled when
    the app closes meanwhile."""
    timeout = _limit_s if timeout is None else timeout
    key = (hashlib.sha256(path.read_bytes()).hexdigest(), func)
    if key in _passed:
        return
    event = current_event()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    child = subprocess.Popen(  # noqa: S603 (this interpreter, this module, the user's own file)
        [sys.executable, str(CHILD), str(path), func],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=path.parent,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    try:
        while child.poll() is None:
            if event is not None and event.is_set():
                raise Cancelled("stopped on request")
            if time.monotonic() > deadline:
                raise TimeLimitError(f"{path.name} did not import and run {func}() within {timeout:g} s (it may wait or loop "
                                     "forever); nothing of it runs here. Give it longer with --timeout SECONDS")  # fmt: skip
            time.sleep(_POLL_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    _passed.add(key)
