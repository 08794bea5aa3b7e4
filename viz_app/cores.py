"""Which cores the app's Python threads run on: one core together for a digit-size model.

The GUI thread and the inference thread share one interpreter lock. Each torch call and many
Qt calls let it go and take it back, so two threads running Python on two cores hand the lock
to each other thousands of times a second, each time waking the other core (a futex and an
interrupt between cores, dear in a virtual machine). Measured with `cnn-viz bench --device cpu`
on a 2-core machine: LeNet-5's 0.4 ms forward took 8-9 ms in the window and the latency median
was 20-23 ms; with both threads on one core the forward took 1.0 ms and the median was 4.7 ms.
A CPU hog beside the app had the same effect, by leaving the two threads one core between them.

So for a model whose forward is a millisecond (digit-size inputs, one intra-op thread, see
``viz_app.models.device.cpu_threads``), the two threads share one core: they take turns
instead of contending. A photo-size model, whose forward is torch's own parallel code, spreads
them over every core again before torch starts its worker threads, which inherit the mask of
the thread that starts them. Child processes (the favourite input) start from a shared thread,
so they spread themselves (``spread_over_all_cores``).

Linux only (``os.sched_setaffinity``); elsewhere nothing changes. Qt-free and torch-free.
"""

from __future__ import annotations

import contextlib
import os
import threading

AFFINITY = hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity")


class SharedCore:
    """The app's Python threads (``join`` from each) on one core together, or over every core."""

    def __init__(self) -> None:
        self._threads: set[int] = set()
        self._all: set[int] = set(os.sched_getaffinity(0)) if AFFINITY else set()
        self._lock = threading.Lock()
        self.core: int | None = None  # the shared core, None while spread

    def join(self) -> None:
        """Count the calling thread among the app's Python threads (the GUI thread, the inference thread)."""
        with self._lock:
            self._threads.add(threading.get_native_id())

    def share(self, on: bool) -> bool:
        """Put every joined thread on one core (``on``) or over every core the process may use.
        True when the threads now run where asked (False where the system does not let us choose)."""
        if not AFFINITY or len(self._all) < 2:
            return False
        core = max(self._all) if on else None  # not the first: it takes most of the system's interrupts
        with self._lock:
            for tid in list(self._threads):
                try:
                    os.sched_setaffinity(tid, {core} if core is not None else self._all)
                except OSError:  # a thread that has ended
                    self._threads.discard(tid)
            self.core = core
        return True


def spread_over_all_cores() -> None:
    """A child process started from a thread on the shared core: use every core there is."""
    if AFFINITY:
        with contextlib.suppress(OSError):  # no core of those is ours (a container's cpuset): keep what we were given
            os.sched_setaffinity(0, range(os.cpu_count() or 1))
