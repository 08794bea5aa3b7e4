"""What an insight panel is: the side tab that shows one per-frame extra's record.

The window builds one of each from ``viz_app.state.panels`` and talks to it only through
``Panel``. The registry line, not the panel, names the extra (its key), so the two can never
disagree; a panel says *what* to compute (``params``, the frozen dataclass its line names) and
draws what came back.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import QWidget

from viz_app.records.frames import ModelInfo

PANEL_MEMBERS = ("params", "show_record", "model_changed")  # methods every panel class defines


@runtime_checkable
class Panel(Protocol):
    """A QWidget in the side tabs fed by one per-frame extra (a probe.extras key).

    - ``params()``: what the extra should compute now, an instance of the parameters dataclass
      its registry line names; None asks for nothing (switched off, or nothing selected yet).
      Only the panel in view has its extra running (extras cost frame time).
    - ``params_changed``: ``Signal(object)``, emitted with the new ``params()`` whenever the
      panel's own controls change them; the window writes them into its view state.
    - ``show_record(record)``: draw the record the extra made from this frame
      (``FrameResult.extras[key]``, a numpy-only record from ``viz_app.records``).
    - ``model_changed(info)``: another model is shown; forget what belonged to the old one
      (a selected unit, say). Called before ``params()`` is asked again.
    - ``shown``: records drawn so far (benchmarks and tests count frames with it).
    """

    params_changed: SignalInstance
    shown: int

    def params(self) -> Any:
        """What the extra should compute now (the panel's parameters dataclass), or None for nothing."""
        ...

    def show_record(self, record: Any) -> None:
        """Draw one frame's record of the extra."""
        ...

    def model_changed(self, info: ModelInfo) -> None:
        """Another model is shown: drop state that belonged to the old one."""
        ...


@runtime_checkable
class FollowsTextSize(Protocol):
    """A panel with text the window's font does not reach (pyqtgraph's titles and axes): the window
    tells it the labels' pixel size (Ctrl+plus, presentation)."""

    def set_text_px(self, px: int) -> None:
        """Draw its text at ``px`` pixels."""
        ...


@runtime_checkable
class FollowsStringMode(Protocol):
    """A panel whose words depend on whether the input is a string of digits or one digit."""

    def set_string_mode(self, on: bool) -> None:
        """The input is a string of digits (True) or one digit."""
        ...


class UnitSelector(Protocol):
    """The panel a click on a feature map opens (it declares ``UNIT_CLICK`` in the registry)."""

    def select(self, layer: str, index: int) -> None:
        """Zoom in on channel (or unit) ``index`` of module ``layer``."""
        ...


def check_panel_class(cls: object, where: str = "") -> type[QWidget]:
    """``cls`` when it can be an insight panel; otherwise a TypeError saying what it lacks.

    Run on every registry entry when the window builds its tabs, so a new panel that misses
    part of the contract fails at start-up with its name, not at the first frame.
    """
    name = where or getattr(cls, "__qualname__", repr(cls))
    if not (isinstance(cls, type) and issubclass(cls, QWidget)):
        raise TypeError(f"panel {name} is not a QWidget class")
    missing = [m for m in PANEL_MEMBERS if not callable(getattr(cls, m, None))]
    if not isinstance(getattr(cls, "params_changed", None), Signal):
        missing.append("params_changed = Signal(object)")
    if missing:
        raise TypeError(f"panel {name} lacks {', '.join(missing)} (see viz_app.ui.panels.base.Panel)")
    return cls
