"""The one error type for things a user caused: a bad file, a bad number, a missing device.

Raised anywhere in the Qt-free core with a message a user can act on; the command line
catches it once at its edge (one line, exit status 2) and the window shows it as a message.
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

import os


class UserError(Exception):
    """Something the user asked for or handed over that cannot be used; ``str()`` says why."""


def debugging() -> bool:
    """Whether tracebacks are wanted: ``--debug`` on the command line (which sets CNN_VIZ_DEBUG) or
    CNN_VIZ_DEBUG=1. Without it the window and the commands say what went wrong in one line."""
    return os.environ.get("CNN_VIZ_DEBUG", "") not in ("", "0")


class Interruption(Exception):
    """Raised by the app's own code in the middle of a model's forward to stop it on purpose (a
    hook that has what it needs, an app that is closing): not an error of the model, so the guard
    around a user's code lets it through unchanged."""
