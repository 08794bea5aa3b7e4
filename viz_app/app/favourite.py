"""Favourite inputs off the frame path: a child process with its own copy of each model.

``FavouriteRunner`` hands a unit's favourite input (``viz_app.probe.favourite``) to a
``FavouriteProcess``, a child process at idle CPU priority that builds its own copy of the
model from the name and weights file the request carries: the live model in the inference
thread never sees a hook or a gradient of it, and the live frames never wait for it (no shared
interpreter lock, no shared torch threads, and the operating system gives the frames the CPU
first). A side thread waits for the child's answer. Results are cached per (model, weights,
layer, unit).

The session hands a runner to each panel that declares it computes favourite inputs
(``viz_app.state.panels.FAVOURITES``): the unit panel.
"""

from __future__ import annotations

import contextlib
import threading
import time

from PySide6.QtCore import QCoreApplication, QObject, Signal

from viz_app.app.threads import OffThread
from viz_app.errors import UserError
from viz_app.models.registry import get_spec
from viz_app.probe.favourite_process import FavouriteCancelled, FavouriteProcess
from viz_app.records.units import Favourite, FavouriteRequest


class FavouriteRunner(QObject):
    """``request(FavouriteRequest)``: ``ready(Favourite)`` or ``failed(request, message)`` later, in this thread."""

    ready = Signal(object)  # Favourite
    failed = Signal(object, str)  # FavouriteRequest, message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = OffThread("favourite", self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)
        self._thread.finished.connect(self._on_finished)
        self._thread.failed.connect(self._on_failed)
        self._cache: dict[FavouriteRequest, Favourite] = {}
        self._pending: dict[FavouriteRequest, float] = {}  # -> perf_counter() when asked
        self.waits: list[float] = []  # seconds from each request to its answer (computed, not cached ones)
        self.process = FavouriteProcess()
        process = self.process  # a plain object: still there when this one is gone
        self.destroyed.connect(lambda *_: process.close())

    def warm(self) -> None:
        """Start the child process now (it imports torch), so the first request does not wait for it."""
        threading.Thread(target=self._start_child, name="favourite-start", daemon=True).start()

    def _start_child(self) -> None:
        """Side thread: start the child. A window closed meanwhile, or a child that cannot start, is
        not this thread's to report: the next request starts it again and says why it cannot."""
        with contextlib.suppress(FavouriteCancelled, UserError):
            self.process.start()

    def cached(self, request: FavouriteRequest | None) -> Favourite | None:
        """The favourite input already computed for ``request``, if any."""
        return None if request is None else self._cache.get(request)

    @property
    def computed(self) -> tuple[Favourite, ...]:
        """Every favourite input computed so far, oldest first."""
        return tuple(self._cache.values())

    @property
    def busy(self) -> bool:
        """Whether a favourite input is being computed."""
        return bool(self._pending)

    def request(self, request: FavouriteRequest) -> None:
        """Compute ``request`` unless it is cached (then ``ready`` fires at once) or under way."""
        if request in self._cache:
            self.ready.emit(self._cache[request])
        elif request not in self._pending:
            self._pending[request] = time.perf_counter()
            self._thread.run(self._compute, request, context=request)

    def close(self) -> None:
        """Stop the computation under way, end the child process and report nothing more."""
        self._thread.close()
        self.process.close()

    def _compute(self, request: FavouriteRequest) -> Favourite:
        """Side thread: the favourite input, computed by the child process."""
        ascent = self.process.compute(get_spec(request.model), request.weights, request.layer, request.index)
        return Favourite(request, ascent.image, ascent.value, ascent.start, ascent.seconds, ascent.steps)

    def _on_finished(self, request: object, favourite: object) -> None:
        assert isinstance(favourite, Favourite) and isinstance(request, FavouriteRequest)
        self.waits.append(time.perf_counter() - self._pending.pop(request))
        self._cache[request] = favourite
        self.ready.emit(favourite)

    def _on_failed(self, request: object, message: str) -> None:
        assert isinstance(request, FavouriteRequest)
        self._pending.pop(request, None)
        self.failed.emit(request, message)
