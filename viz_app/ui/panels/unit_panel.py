"""The unit tab: the zoom on the selected unit beside what it has learned.

Keeps the unit zoom's contract (``select``, ``params``, ``selection``) and adds the top
digits and the favourite input (``viz_app.ui.panels.unit_learned``). The favourite input is
computed elsewhere: the panel asks with ``favourite_requested(FavouriteRequest)`` and draws what
comes back with ``show_favourite`` or ``favourite_failed``. The app hands the panel the runner
that computes them (``set_favourites``; the registry declares the panel ``FAVOURITES``).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QRectF, Qt, Signal, SignalInstance
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QScrollArea, QSplitter, QVBoxLayout, QWidget

from viz_app.records.frames import ModelInfo
from viz_app.records.panels import UnitParams, UnitRecord
from viz_app.records.units import Favourite, FavouriteRequest, UnitInsight
from viz_app.ui.panels.unit_learned import LearnedView
from viz_app.ui.panels.unit_zoom import UnitZoomPanel


class FavouriteRunner(Protocol):
    """What computes favourite inputs for the panel (the app's runner, a child process behind it)."""

    ready: SignalInstance  # Favourite
    failed: SignalInstance  # FavouriteRequest, message
    busy: bool

    def request(self, request: FavouriteRequest) -> None: ...

    def cached(self, request: FavouriteRequest | None) -> Favourite | None: ...

    def warm(self) -> None: ...


SIDE_BY_SIDE = 1.1  # width / height above which the two parts sit side by side
ZOOM_ASPECT = 2.6  # above it, the zoom's pictures in one row (width / height) take no more height: the digits get it
ZOOM_SHARE = 0.5  # of the tab's height (or width) the zoom gets until the handle is dragged


class UnitPanel(QWidget):
    """The selected unit: activation, kernels and field, with its top digits and favourite input."""

    params_changed = Signal(object)  # UnitParams for the unit extra, or None
    favourite_requested = Signal(object)  # FavouriteRequest

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zoom = UnitZoomPanel()
        self.learned = LearnedView()
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.learned)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.learned.setMinimumWidth(self.learned.narrowest())  # not its side-by-side hint: the view fits the scroll area
        self.scroll.setMinimumWidth(self.learned.narrowest() + 16)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.zoom)
        self.split.addWidget(self.scroll)
        self.zoom.setMinimumSize(120, 120)
        # As narrow as the digits need, however large the zoom's pictures were drawn (a presented panel's
        # size hint otherwise became the splitter's minimum and widened the window after presentation).
        self.split.setMinimumWidth(self.scroll.minimumWidth())
        self._user_split = False  # the user dragged the handle: keep their sizes
        self.split.splitterMoved.connect(self._on_splitter_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)
        self.zoom.params_changed.connect(self._on_zoom_params)
        self.learned.favourite_clicked.connect(self._on_favourite_clicked)
        self.model: ModelInfo | None = None
        self._asked: FavouriteRequest | None = None
        self.runner: FavouriteRunner | None = None  # set_favourites: none in a window without the app

    def set_text_px(self, px: int) -> None:
        """The zoom's titles at ``px`` pixels (the window's labels' size), and the digits' room for the new type."""
        self.zoom.set_text_px(px)
        self.learned.setMinimumWidth(self.learned.narrowest())  # not its side-by-side hint: the view fits the scroll area
        self.scroll.setMinimumWidth(self.learned.narrowest() + 16)
        self.split.setMinimumWidth(self.scroll.minimumWidth())

    def set_favourites(self, runner: FavouriteRunner) -> None:
        """Compute favourite inputs with ``runner``: asked with ``request``, answered through its
        ``ready`` and ``failed`` signals."""
        self.runner = runner
        self.favourite_requested.connect(runner.request)
        runner.ready.connect(self.show_favourite)
        runner.failed.connect(self.favourite_failed)

    # --- the Panel contract ------------------------------------------------------------------
    @property
    def shown(self) -> int:
        """Records drawn so far."""
        return self.zoom.shown

    @property
    def selection(self) -> tuple[str, int] | None:
        """(layer, index) of the selected unit, or None."""
        return self.zoom.selection

    @property
    def field_rect(self) -> QRectF | None:
        """The receptive-field outline drawn on the input."""
        return self.zoom.field_rect

    def params(self) -> UnitParams | None:
        """The unit extra's parameters: the selection, or None before a click."""
        return self.zoom.params()

    def select(self, layer: str, index: int) -> None:
        """Zoom in on unit ``index`` of ``layer``; a favourite input computed before for it shows at once."""
        self.learned.clear()
        self._asked = None
        self.zoom.select(layer, index)
        cached = self.runner.cached(self.favourite_request()) if self.runner is not None else None
        if cached is not None:
            self.learned.show_favourite(cached)

    def clear_selection(self) -> None:
        """Forget the selection."""
        self.zoom.clear_selection()
        self.learned.clear()
        self._asked = None

    def model_changed(self, info: ModelInfo) -> None:
        """Another model: forget the selection."""
        self.model = info
        self.zoom.model_changed(info)
        self.learned.clear()
        self._asked = None

    def show_record(self, record: UnitRecord) -> None:
        """Draw the zoom, the top digits and the current input on their scale."""
        self.zoom.show_record(record)
        if isinstance(record, UnitInsight):
            self.learned.show_top(record.top, record.top_message)
        self.learned.show_current(record.value)
        self.learned.button.setEnabled(self.model is not None)

    # --- the favourite input ---------------------------------------------------------------------
    def favourite_request(self) -> FavouriteRequest | None:
        """What to compute for the selected unit of the model shown, or None."""
        if self.model is None or self.selection is None:
            return None
        weights = self.model.weights if self.model.trained else ""
        return FavouriteRequest(self.model.name, weights, self.selection[0], self.selection[1])

    def request_favourite(self) -> None:
        """Ask for the selected unit's favourite input (the button does this)."""
        request = self.favourite_request()
        if request is None:
            return
        self._asked = request
        self.learned.clear_favourite("computing its favourite input (the live frames come first)…")
        self.favourite_requested.emit(request)

    def show_favourite(self, favourite: Favourite) -> None:
        """Draw a favourite input that arrived, if it is still the selected unit's."""
        if favourite.request == self.favourite_request():
            self.learned.show_favourite(favourite)

    def favourite_failed(self, request: FavouriteRequest, message: str) -> None:
        """Say why the favourite input could not be computed."""
        if request == self.favourite_request():
            self.learned.clear_favourite(f"no favourite input: {message}")

    def _on_favourite_clicked(self) -> None:
        self.request_favourite()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """Shown: the runner gets ready (its child process starts) for the first click."""
        super().showEvent(event)
        if self.runner is not None:
            self.runner.warm()

    def _on_zoom_params(self, params: object) -> None:
        self.params_changed.emit(params)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Side by side on a wide tab, one above the other on a narrow one."""
        size = event.size()
        wide = size.width() > SIDE_BY_SIDE * size.height() and size.width() >= 2 * self.scroll.minimumWidth()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.split.orientation() != orientation:
            self.split.setOrientation(orientation)
        if not self._user_split:
            length = size.width() if wide else size.height()
            zoom = round(length * ZOOM_SHARE) if wide else min(round(length * ZOOM_SHARE), round(size.width() / ZOOM_ASPECT))
            self.split.setSizes([zoom, length - zoom])
        super().resizeEvent(event)

    def _on_splitter_moved(self, position: int, index: int) -> None:
        self._user_split = True
