"""Favourite inputs off the frame path: a side thread with its own copy of each model.

``FavouriteRunner`` computes a unit's favourite input (``viz_app.probe.favourite``) on an
``OffThread``, on a model it builds itself from the name and weights file the request
carries, so the live model in the inference thread never sees a hook or a gradient of it.
While live frames are flowing it steps only in the few milliseconds after each frame is shown,
when the inference thread waits for the next input, so the two never compete; with no frame in
the last moment it runs at full speed.
Results are cached per (model, weights, layer, unit).

``UnitTab`` is the unit panel with a runner wired to its button: the registry's "unit" entry.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QWidget

from viz_app.app.threads import OffThread
from viz_app.models import LoadedModel, load_model
from viz_app.probe.favourite import STEPS, favourite_input
from viz_app.records.panels import UnitRecord
from viz_app.records.units import Favourite, FavouriteRequest
from viz_app.ui.panels.unit_panel import UnitPanel

LIVE_S = 0.25  # frames count as flowing when one was shown this recently
GAP_S = 0.006  # while they flow, steps run only this long after each frame is shown (the worker is idle then)


class FavouriteRunner(QObject):
    """``request(FavouriteRequest)``: ``ready(Favourite)`` or ``failed(request, message)`` later, in this thread."""

    ready = Signal(object)  # Favourite
    failed = Signal(object, str)  # FavouriteRequest, message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = OffThread("favourite", self)
        self._thread.finished.connect(self._on_finished)
        self._thread.failed.connect(self._on_failed)
        self._cache: dict[FavouriteRequest, Favourite] = {}
        self._pending: set[FavouriteRequest] = set()
        self._models: dict[tuple[str, str], LoadedModel] = {}  # side thread only: (name, weights) -> LoadedModel
        self._stop = threading.Event()
        self._last_frame = 0.0  # perf_counter() of the last frame shown
        self._frame = threading.Event()  # set at each frame shown

    def frame_seen(self) -> None:
        """A live frame was shown: the computation gives way while they keep coming."""
        self._last_frame = time.perf_counter()
        self._frame.set()

    def cached(self, request: FavouriteRequest | None) -> Favourite | None:
        """The favourite input already computed for ``request``, if any."""
        return None if request is None else self._cache.get(request)

    @property
    def busy(self) -> bool:
        """Whether a favourite input is being computed."""
        return bool(self._pending)

    def request(self, request: FavouriteRequest) -> None:
        """Compute ``request`` unless it is cached (then ``ready`` fires at once) or under way."""
        if request in self._cache:
            self.ready.emit(self._cache[request])
        elif request not in self._pending:
            self._pending.add(request)
            self._thread.run(self._compute, request, context=request)

    def close(self) -> None:
        """Stop the computation under way and report nothing more."""
        self._stop.set()
        self._thread.close()

    def _compute(self, request: FavouriteRequest) -> Favourite:
        """Side thread: the favourite input on this thread's own copy of the model."""
        key = (request.model, request.weights)
        if key not in self._models:
            self._models = {key: load_model(request.model, "cpu", request.weights or None)}  # one copy at a time
        loaded = self._models[key]
        big = loaded.spec.input_size[0] * loaded.spec.input_size[1] * loaded.spec.channels > 4096

        def pace(step: int) -> bool:
            """Between frames only: once a frame's gap is used up, wait for the next frame."""
            if time.perf_counter() - self._last_frame > GAP_S and time.perf_counter() - self._last_frame < LIVE_S:
                self._frame.clear()
                self._frame.wait(LIVE_S)
            return not self._stop.is_set()

        steps = STEPS // 2 if big else STEPS
        ascent = favourite_input(loaded.model, loaded.spec, request.layer, request.index, steps, on_step=pace)
        return Favourite(request, ascent.image, ascent.value, ascent.start, ascent.seconds, ascent.steps)

    def _on_finished(self, request: object, favourite: object) -> None:
        assert isinstance(favourite, Favourite) and isinstance(request, FavouriteRequest)
        self._pending.discard(request)
        self._cache[request] = favourite
        self.ready.emit(favourite)

    def _on_failed(self, request: object, message: str) -> None:
        assert isinstance(request, FavouriteRequest)
        self._pending.discard(request)
        self.failed.emit(request, message)


class UnitTab(UnitPanel):
    """The unit panel with its favourite inputs computed by a ``FavouriteRunner``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = FavouriteRunner(self)
        self.favourite_requested.connect(self.runner.request)
        self.runner.ready.connect(self.show_favourite)
        self.runner.failed.connect(self.favourite_failed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.runner.close)

    def show_record(self, record: UnitRecord) -> None:
        """Draw the frame's record; the favourite input gives way while frames come."""
        super().show_record(record)
        self.runner.frame_seen()

    def select(self, layer: str, index: int) -> None:
        """Zoom in on a unit; a favourite input computed before for it shows at once."""
        super().select(layer, index)
        cached = self.runner.cached(self.favourite_request())
        if cached is not None:
            self.learned.show_favourite(cached)
