"""The Demo source: one digit played through a scene of the 1995 demo at the display rate.

Each step is the digit transformed by the scene at the next value of its parameter, going
back and forth over the scene's range, on the source's own thread. The frames are finished
28x28 network fields (``FrameKind.PREPARED``): the worker must not re-centre them, or a shift
would never reach the network. ``step_of(seq)`` says which value a frame showed, so a
result can be placed on the scene's curve.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from viz_app.records.frames import Frame, FrameKind
from viz_app.sources.base import ErrorCallback, FrameCallback
from viz_app.sources.scenes import FIELD, Scene

DEFAULT_RATE = 30.0  # steps per second
_HISTORY = 4096  # steps remembered for step_of


@dataclass(frozen=True)
class DemoStep:
    """Which step of the scene a frame showed."""

    index: int  # position in scene.values
    value: float


def ping_pong(count: int) -> list[int]:
    """Indices 0, 1, ..., n-1, n-2, ..., 1: a scene played forth and back without repeats at the ends."""
    return list(range(count)) + list(range(count - 2, 0, -1))


class DemoSource:
    """Plays ``scene`` on ``digit`` (a 28x28 uint8 digit, white on black) at ``rate`` steps per second."""

    name = "demo"

    def __init__(self, scene: Scene, digit: np.ndarray, label: int | None = None, rate: float = DEFAULT_RATE) -> None:
        if digit.shape != (FIELD, FIELD) or digit.dtype != np.uint8:
            raise ValueError(f"the demo plays a 28x28 uint8 digit, not {digit.dtype} {digit.shape}")
        if not rate > 0:
            raise ValueError("the demo's rate must be positive")
        self.scene, self.digit, self.label, self.rate = scene, digit, label, rate
        self._order = ping_pong(len(scene.values))
        self._steps: dict[int, DemoStep] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self._seq = 0

    @property
    def running(self) -> bool:
        """Whether the scene is playing (started and not stopped)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, on_frame: FrameCallback, on_error: ErrorCallback) -> None:
        """Play the scene on a thread of its own, one frame per step, until ``stop``."""
        self.stop()
        self._stop.clear()
        self._thread = threading.Thread(target=self._play, args=(on_frame, on_error), name="demo", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop playing (idempotent); waits for the thread."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        self._thread = None

    def freeze(self, paused: bool) -> None:
        """Hold the scene on its current step (True) or play on (False)."""
        if paused:
            self._paused.set()
        else:
            self._paused.clear()

    def step_of(self, seq: int) -> DemoStep | None:
        """The step frame ``seq`` showed (None for frames of long ago or of another source)."""
        with self._lock:
            return self._steps.get(seq)

    def frame_at(self, index: int, seq: int = 0) -> Frame:
        """The frame of step ``index`` of the scene (noise seeded by the step, so it repeats)."""
        value = self.scene.values[index]
        image = self.scene.apply(self.digit, value, seed=index)
        return Frame(image, time.perf_counter(), seq, self.name, kind=FrameKind.PREPARED)

    def _play(self, on_frame: FrameCallback, on_error: ErrorCallback) -> None:
        period, position = 1.0 / self.rate, 0
        next_at = time.perf_counter()
        while not self._stop.is_set():
            if not self._paused.is_set():
                index = self._order[position % len(self._order)]
                position += 1
                self._seq += 1
                with self._lock:
                    self._steps[self._seq] = DemoStep(index, self.scene.values[index])
                    self._steps.pop(self._seq - _HISTORY, None)
                try:
                    on_frame(self.frame_at(index, self._seq))
                except Exception as exc:  # a consumer's failure ends the scene with a message
                    on_error(f"The demo stopped: {exc}")
                    return
            next_at += period
            self._stop.wait(max(0.0, next_at - time.perf_counter()))
            next_at = max(next_at, time.perf_counter() - period)  # never race to catch up
