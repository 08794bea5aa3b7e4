"""Long torch work (building a big model, reading its weights, a cost table) that stops on request.

A torch function mode checks a flag before every torch call in its block, so closing the
window while a large model loads waits for one tensor operation, not for the whole load.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from torch.overrides import TorchFunctionMode

from viz_app.errors import Interruption

T = TypeVar("T")


class Cancelled(Interruption):
    """The work was stopped on request (the app is closing); nothing is wrong."""


class CancelPoints(TorchFunctionMode):
    """Inside ``with CancelPoints(event):`` every torch call raises Cancelled once ``event`` is set.

    Torch function modes are per thread: work on other threads is not slowed or stopped.
    """

    def __init__(self, event: threading.Event) -> None:
        super().__init__()
        self._event = event

    def __torch_function__(self, func: Callable[..., Any], types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        if self._event.is_set():
            raise Cancelled("stopped on request")
        return func(*args, **(kwargs or {}))


_current = threading.local()  # the event of the ``cancellable`` call running on this thread


def cancellable(event: threading.Event, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)``, stopped with Cancelled at its next torch call once ``event`` is set
    (and where it waits on something else, by asking ``current_event``)."""
    if event.is_set():
        raise Cancelled("stopped on request")
    outer = getattr(_current, "event", None)
    _current.event = event
    try:
        with CancelPoints(event):
            return function(*args, **kwargs)
    finally:
        _current.event = outer


def current_event() -> threading.Event | None:
    """The event that stops the ``cancellable`` work running on this thread, or None outside one:
    for work that waits without torch calls (a child process)."""
    return getattr(_current, "event", None)
