"""The unit panel's turn in `cnn-viz bench panel unit`: frames with a unit selected, with and
without its favourite input being computed, and what was computed meanwhile."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from viz_app.bench.sketch import summarise

FAVOURITE_WAIT_MS = 120_000  # how much longer the unit bench waits for its first favourite input

if TYPE_CHECKING:
    from viz_app.app.favourite import FavouriteRunner
    from viz_app.records.frames import FrameResult
    from viz_app.ui.main_window import MainWindow
    from viz_app.ui.panels.unit_panel import UnitPanel


def unit_driver(window: MainWindow, last: list[FrameResult]) -> Callable[[], None]:
    """A function, called at the first frame and then every second, that keeps the unit panel in
    view and takes turns: select a new unit (its favourite input is not cached), then ask for its
    favourite input and let it be computed, however many seconds that takes. The "with" frames
    are those shown while one is computed, the "without" ones those with a unit selected and none."""
    units = itertools.count()
    asked = [True]

    def tick() -> None:
        tab = cast("UnitPanel", window.panel("unit"))
        window.side.setCurrentWidget(tab)
        if tab.runner.busy or not last:
            return
        if asked[0]:
            _select_unit(window, last[-1], next(units))
        else:
            tab.request_favourite()
        asked[0] = not asked[0]

    return tick


def _select_unit(window: MainWindow, result: FrameResult, k: int) -> None:
    """Select the ``k``-th unit of the shown layers (a new one each time: a computed favourite input is cached)."""
    layers = [layer for layer in result.layers if layer.shape]
    layer = layers[k % len(layers)]
    window.maps.unit_clicked.emit(layer.name, (k // len(layers)) % layer.shape[0])


def runner_of(window: MainWindow) -> FavouriteRunner:
    """The app's favourite-input runner the unit panel was given."""
    return cast("FavouriteRunner", cast("UnitPanel", window.panel("unit")).runner)


def favourite_computed(window: MainWindow) -> Callable[[], bool]:
    """Whether a favourite input has been computed yet: the unit bench compares frames with and
    without one being computed, so it goes on past its frames until one has been (on a busy
    machine the idle-priority child may take long), for at most FAVOURITE_WAIT_MS more."""
    return lambda: bool(runner_of(window).computed)


def favourites_report(window: MainWindow) -> dict:
    """How many favourite inputs the unit panel computed while the frames flowed, how long each
    ascent took in the child and how long each was waited for (from the request to the answer)."""
    runner = runner_of(window)
    done = runner.computed
    return {
        "favourites_computed": len(done),
        "favourite_seconds": summarise([f.seconds for f in done]) if done else {},
        "favourite_wait_seconds": summarise(runner.waits) if runner.waits else {},
    }
