"""The Qt binding must not corrupt reference counts on the per-frame path.

PySide6 6.12.0 on Python 3.11 drops a reference to the bool that `Signal.emit()` returns:
after a few thousand emits True or False is deallocated and the interpreter aborts (the
window emits several signals per frame). pyproject.toml excludes it; this keeps it out.
"""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    happened = Signal(object)


def test_emit_keeps_reference_counts():
    emitter = _Emitter()
    received = []
    emitter.happened.connect(received.append)
    counts = {v: sys.getrefcount(v) for v in (True, False, None)}
    for i in range(300):
        emitter.happened.emit(i)
    assert len(received) == 300
    for value, before in counts.items():
        assert abs(sys.getrefcount(value) - before) < 50, f"reference count of {value} drifted"
