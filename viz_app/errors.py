"""The one error type for things a user caused: a bad file, a bad number, a missing device.

Raised anywhere in the Qt-free core with a message a user can act on; the command line
catches it once at its edge (one line, exit status 2) and the window shows it as a message.
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user asked for or handed over that cannot be used; ``str()`` says why."""
