"""Runs of models against torch's FLOP counter, whose module hooks are global while it counts.

``torch.utils.flop_counter.FlopCounterMode`` follows modules with ``ModTracker``, which puts
forward hooks on *every* module of the process (and gradient hooks on every output that
requires grad) for as long as it counts. A forward or an ``autograd.grad`` in another thread
meanwhile runs through them: module names mixed up between two copies of one model, and
autograd refusing the tracker's hook on a leaf ("A leaf node was passed to
_will_engine_execute_node"). So the cost table counts alone (``COUNTING.counting()``), while
the frames, the extras' set-up and each step of a favourite input (``COUNTING.running()``) may
run together, as before, and only wait while a count is under way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CountingLock:
    """Many runs at once, or one count alone; a waiting count goes before new runs (a thread
    already running one may start another, so nesting cannot deadlock)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._runs = 0
        self._counting = False
        self._waiting = 0  # counts waiting for the runs to end
        self._mine = threading.local()

    @contextmanager
    def running(self) -> Iterator[None]:
        """Run a model (forward, backward); waits only while a count is under way or waiting."""
        nested = getattr(self._mine, "runs", 0)
        with self._cond:
            while self._counting or (self._waiting and not nested):
                self._cond.wait()
            self._runs += 1
        self._mine.runs = nested + 1
        try:
            yield
        finally:
            self._mine.runs = nested
            with self._cond:
                self._runs -= 1
                self._cond.notify_all()

    @contextmanager
    def counting(self) -> Iterator[None]:
        """Count alone: no model runs in any other thread meanwhile."""
        with self._cond:
            self._waiting += 1
            while self._counting or self._runs:
                self._cond.wait()
            self._waiting -= 1
            self._counting = True
        try:
            yield
        finally:
            with self._cond:
                self._counting = False
                self._cond.notify_all()


COUNTING = CountingLock()
