"""The process's resident memory, and handing memory freed by a dropped model back to the system.

glibc's malloc keeps freed blocks in its heaps instead of returning them, and each time a
large block it had mapped on its own is freed it raises the size from which it maps blocks
on their own (up to 32 MB on 64-bit Linux). After a few models were opened and closed, most
of a model's tensors sit in the heaps, and the memory of a closed model stays in the process:
measured here, every cycle through the 25 registered models left ~150 MB more resident.
``malloc_trim(0)`` gives the free pages of every heap back; after it, cycles end where the
first one ended. Qt-free and torch-free, so the benches without Qt use it too.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
from collections.abc import Callable

_trim: Callable[[int], int] | None = None
if sys.platform.startswith("linux"):
    try:
        _trim = ctypes.CDLL("libc.so.6").malloc_trim  # glibc only (not musl)
    except (OSError, AttributeError):
        _trim = None


def rss_mb() -> float:
    """The process's resident memory in MB (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return 0.0


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
