"""The process's resident memory, and handing memory freed by a dropped model back to the system.

glibc's malloc keeps freed blocks in its heaps instead of returning them, and each time a
large block it had mapped on its own is freed it raises the size from which it maps blocks
on their own (up to 32 MB on 64-bit Linux). After a few models were opened and closed, most
of a model's tensors sit in the heaps, and the memory of a closed model stays in the process:
measured here, every cycle through the 25 registered models left ~150 MB more resident.
``malloc_trim(0)`` gives the free pages of every heap back; after it, cycles end where the
first one ended. It leaves alone the free block at the top of a thread's own heap (glibc
trims only the main heap's top), which held 20-30 MB of a closed ResNet-18 now and then when
the inference thread had a heap of its own: ``one_heap()`` before that thread starts makes it
allocate from the main heap. Qt-free and torch-free, so the benches without Qt use it too.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
from collections.abc import Callable

M_ARENA_MAX = -8  # glibc's mallopt parameter: how many heaps threads may allocate from

_trim: Callable[[int], int] | None = None
_mallopt: Callable[[int, int], int] | None = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL("libc.so.6")
        _trim, _mallopt = _libc.malloc_trim, _libc.mallopt  # glibc only (not musl)
    except (OSError, AttributeError):
        _trim = _mallopt = None


def rss_mb() -> float:
    """The process's resident memory in MB (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return 0.0


def one_heap() -> bool:
    """Threads started from now on allocate from the main heap, whose free memory
    ``release_freed_memory`` gives back entirely. True when the C library could be asked."""
    return _mallopt is not None and _mallopt(M_ARENA_MAX, 1) == 1


def release_freed_memory() -> bool:
    """Collect garbage, then give the C heaps' free pages back to the system.

    For after a model was dropped: a few milliseconds, so never per frame. True when the
    C library could be asked (glibc); elsewhere only the collection happens.
    """
    gc.collect()
    if _trim is None:
        return False
    _trim(0)
    return True


def available_bytes() -> int | None:
    """Memory the system can give this process now without swapping (Linux's MemAvailable,
    else the free physical pages); None where neither can be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None
