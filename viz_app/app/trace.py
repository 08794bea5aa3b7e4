"""A per-frame trace: every shown frame's stages on the thread that ran them, written as
trace-event JSON, the format Perfetto (ui.perfetto.dev) and chrome://tracing open (napari's
perfmon writes the same).

`cnn-viz --trace FILE` and `cnn-viz bench --trace FILE` write one. Per frame:

- the GUI thread: the input event (an instant), the frame's wait for the GUI thread ("to GUI"),
  handing it to every panel ("show"), and each repaint of the window ("paint");
- the inference thread: the frame's wait in the worker's mailbox ("mailbox"), then "prepare"
  (the input made the network's), "forward", "mosaic" (maps tiled and coloured, the extras),
  "transfer" (the one copy to the host) and "unpack" (the records built).

Waits for the interpreter lock cannot be seen from inside Python 3.11; `py-spy record --gil`
shows them from outside (README, Performance). The events are kept in memory, at most
``LIMIT`` of them (the newest), and written when the window closes.
"""

from __future__ import annotations

import json
import time
from collections import deque
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from viz_app.files import write_text
from viz_app.records.frames import FrameResult

LIMIT = 500_000  # events kept: about 50,000 frames
GUI, INFERENCE = 1, 2  # the trace's thread ids


class FrameTrace(QObject):
    """Collects the shown frames' stages and the window's repaints; ``save()`` writes the file."""

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.events: deque[dict[str, Any]] = deque(maxlen=LIMIT)
        self._t0 = time.perf_counter()
        self._window: QWidget | None = None
        self.frames = 0  # shown frames traced

    def attach(self, window: Any) -> None:
        """Trace ``window`` (a MainWindow): its shown frames and its repaints."""
        self._window = window
        window.result_shown.connect(self.frame_shown)
        window.installEventFilter(self)

    def frame_shown(self, result: FrameResult, t_shown: float) -> None:
        """One shown frame's stages (``window.gui_ms`` is the time the panels took to take it)."""
        self.frames += 1
        gui_ms = getattr(self._window, "gui_ms", 0.0)
        t = result.timings
        args = {"frame": result.seq, "model": result.model}
        self._instant("input event", GUI, result.t_event, args)
        start = t.t_start or result.t_event
        self._span("mailbox", INFERENCE, result.t_event, start, args)
        at = start
        for name, ms in (("prepare", t.preprocess), ("forward", t.forward), ("mosaic", t.mosaic), ("transfer", t.transfer)):
            self._span(name, INFERENCE, at, at + ms / 1e3, args)
            at += ms / 1e3
        self._span("unpack", INFERENCE, at, result.t_done, args)
        t_gui = t_shown - gui_ms / 1e3
        self._span("to GUI", GUI, result.t_done, t_gui, args)
        self._span("show", GUI, t_gui, t_shown, args)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Time the window's repaints: the window handles its update request here, timed."""
        if event.type() != QEvent.Type.UpdateRequest or watched is not self._window:
            return False
        t0 = time.perf_counter()
        watched.event(event)
        self._span("paint", GUI, t0, time.perf_counter(), {})
        return True

    def save(self) -> Path:
        """Write the trace (atomically): ``{"traceEvents": [...]}`` with the threads named."""
        names = [
            {"name": "thread_name", "ph": "M", "pid": 1, "tid": tid, "args": {"name": name}}
            for tid, name in ((GUI, "GUI thread"), (INFERENCE, "inference thread"))
        ]
        trace = {"traceEvents": [*names, *self.events], "displayTimeUnit": "ms", "otherData": {"app": "cnn-viz"}}
        write_text(self.path, json.dumps(trace, separators=(",", ":")))
        return self.path

    def _us(self, t: float) -> float:
        return round((t - self._t0) * 1e6, 1)

    def _span(self, name: str, tid: int, begin: float, end: float, args: dict[str, Any]) -> None:
        self.events.append({"name": name, "ph": "X", "pid": 1, "tid": tid, "ts": self._us(begin), "dur": round(max(0.0, end - begin) * 1e6, 1), "args": args})

    def _instant(self, name: str, tid: int, t: float, args: dict[str, Any]) -> None:
        self.events.append({"name": name, "ph": "i", "s": "t", "pid": 1, "tid": tid, "ts": self._us(t), "args": args})
