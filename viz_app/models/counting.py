"""One lock for torch's FLOP counter, whose module hooks are global while it counts.

``torch.utils.flop_counter.FlopCounterMode`` follows modules with ``ModTracker``, which puts
forward hooks on *every* module of the process (and gradient hooks on every output that
requires grad) for as long as it counts. A forward or an ``autograd.grad`` in another thread
meanwhile runs through them: module names mixed up between two copies of one model, and
autograd refusing the tracker's hook on a leaf ("A leaf node was passed to
_will_engine_execute_node"). The cost table counts while holding ``COUNTING``; the frames, the
extras' set-up and each step of a favourite input hold it too, so none of them overlaps a count.
"""

from __future__ import annotations

import threading

COUNTING = threading.RLock()
