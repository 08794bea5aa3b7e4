"""Stepping through the MNIST test set, with a jump to the next digit the model gets wrong."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from viz_app.records.frames import Frame
from viz_app.sources.base import ErrorCallback, FrameCallback

# N x 28 x 28 uint8 digits -> N predicted class indices.
Classifier = Callable[[np.ndarray], np.ndarray]


class DigitSet(Protocol):
    """A labelled set of 28x28 digits (training.mnist.Digits is one)."""

    @property
    def images(self) -> np.ndarray: ...  # N x 28 x 28 uint8, white on black

    @property
    def labels(self) -> np.ndarray: ...  # N class indices

    def __len__(self) -> int: ...
CHUNK = 500  # digits classified at a time while looking for a mistake


class MnistBrowser:
    """`mnist`: the test digits one at a time (frames are the 28x28 digits, white on black).

    The test set comes from ``load`` (called once, on a thread of its own, at the first
    start) or is given as ``digits``. Predictions come from a ``Classifier`` the caller
    supplies (``set_classifier``), so this stays free of any particular model and data
    format; they are computed on demand and cached.
    """

    name = "mnist"

    def __init__(self, load: Callable[[], DigitSet] | None = None, digits: DigitSet | None = None) -> None:
        self._load_digits = load
        self.digits = digits
        self.index = 0
        self._classify: Classifier | None = None
        self._predictions: np.ndarray | None = None  # -1 where not computed yet
        self._on_frame: FrameCallback | None = None
        self._on_error: ErrorCallback | None = None
        self._seq = 0
        self._loader: threading.Thread | None = None

    # --- the Source protocol -------------------------------------------------------------------
    def start(self, on_frame: FrameCallback, on_error: ErrorCallback) -> None:
        """Deliver the current digit; the first time, the test set loads in a thread of its
        own (it may have to be downloaded) and the digit follows when it is there."""
        self._on_frame, self._on_error = on_frame, on_error
        if self.digits is not None:
            self._deliver()
        elif self._loader is None or not self._loader.is_alive():
            self._loader = threading.Thread(target=self._load, name="mnist-loader", daemon=True)
            self._loader.start()

    def wait_loaded(self, timeout: float | None = None) -> bool:
        """Block until the test set is loaded (or failed to); True if it is there."""
        if self._loader is not None:
            self._loader.join(timeout)
        return self.digits is not None

    def stop(self) -> None:
        self._on_frame = self._on_error = None

    # --- browsing ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return 0 if self.digits is None else len(self.digits)

    @property
    def label(self) -> int | None:
        return None if self.digits is None else int(self.digits.labels[self.index])

    def goto(self, index: int) -> None:
        if not len(self):
            return
        self.index = index % len(self)
        self._deliver()

    def step(self, delta: int) -> None:
        self.goto(self.index + delta)

    @property
    def has_classifier(self) -> bool:
        return self._classify is not None

    def set_classifier(self, classify: Classifier | None) -> None:
        """Use ``classify`` for the predictions (None: no model to ask); forgets old ones."""
        self._classify = classify
        self._predictions = None

    def prediction(self, index: int | None = None) -> int | None:
        """The classifier's answer for a digit (the current one by default), if known."""
        i = self.index if index is None else index
        if self._predictions is None or self._predictions[i] < 0:
            return None
        return int(self._predictions[i])

    def next_misclassified(self) -> int | None:
        """Go to the next digit after the current one that the classifier gets wrong; its index,
        or None (with a message) when there is no classifier or no mistake."""
        if not len(self):
            return None
        if self._classify is None:
            self._error("No digit model to ask: load one of the MNIST models to find its mistakes")
            return None
        assert self.digits is not None
        n = len(self)
        if self._predictions is None:
            self._predictions = np.full(n, -1, np.int64)
        order = (self.index + 1 + np.arange(n)) % n
        for start in range(0, n, CHUNK):
            chunk = order[start : start + CHUNK]
            todo = chunk[self._predictions[chunk] < 0]
            if len(todo):
                self._predictions[todo] = np.asarray(self._classify(self.digits.images[todo]))
            wrong = chunk[self._predictions[chunk] != self.digits.labels[chunk]]
            if len(wrong):
                self.goto(int(wrong[0]))
                return self.index
        self._error("The model gets every test digit right")
        return None

    # --- internals -----------------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            if self._load_digits is None:
                raise ValueError("no test set to load")
            self.digits = self._load_digits()
        except Exception as exc:  # missing folder, damaged file, no network for the download
            self._error(f"Could not open the MNIST test set: {exc}")
            return
        self._deliver()

    def _deliver(self) -> None:
        if self.digits is None or self._on_frame is None:
            return
        self._seq += 1
        image = self.digits.images[self.index]
        self._on_frame(Frame(image, time.perf_counter(), self._seq, self.name))

    def _error(self, message: str) -> None:
        if self._on_error is not None:
            self._on_error(message)
