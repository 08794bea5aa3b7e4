"""One string mode for the whole window: the pad, the camera and the file tabs read a string of
digits (a postcode, a cheque amount) or one digit, together.

Turning it on anywhere turns it on everywhere (the pad's wide canvas, the sources' wide regions
of interest) and, where the model shown reads one digit, opens the string reader; turning it
off goes back to the model that was shown before. The string read takes the predicted digit's
place in the window. A one-digit model the user picks while string mode is on stays: its
frames are refused with a message that says what to do.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, SignalInstance

from viz_app.records.frames import Head, ModelInfo
from viz_app.ui.main_window import MainWindow
from viz_app.ui.panels.base import FollowsStringMode
from viz_app.ui.panels.probabilities import PROMPTS

STRING_MODEL = "sdnn"  # the string reader opened when string mode starts
PAD_SHARE = 0.4  # in string mode the input column gets at least this share of the window's width


class StringTab(Protocol):
    """A source tab with a string mode of its own (camera, file)."""

    string_toggled: SignalInstance

    def set_string_mode(self, on: bool) -> None: ...


def _reads_strings(info: ModelInfo | None) -> bool:
    return info is not None and info.head is Head.STRING


class StringMode(QObject):
    """Keeps the pad and the source tabs in one string mode, and the model fit to read it."""

    def __init__(self, window: MainWindow, tabs: tuple[StringTab, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.tabs = tabs
        self.on = window.pad.string_mode
        self._previous: str | None = None  # the one-digit model string mode replaced
        self._sizes: list[int] | None = None  # the columns' widths before string mode widened the input column
        window.pad.string_mode_changed.connect(self.set_on)
        for tab in tabs:
            tab.string_toggled.connect(self.set_on)
        window.view.update(string_mode=self.on)
        window.view.subscribe(lambda new, old: self._follow(new.string_mode))

    def set_on(self, on: bool) -> None:
        """String mode on (True) or off: the view state holds it, and every tab follows it."""
        self.window.view.update(string_mode=on)

    def _follow(self, on: bool) -> None:
        """The view's string mode on every tab, and the model that can read it."""
        if on == self.on:
            return
        self.on = on
        self.window.pad.set_string_mode(on)
        for tab in self.tabs:
            tab.set_string_mode(on)
        self.window.probabilities.set_string_mode(on)
        self.window.maps.prompt.setText(PROMPTS[on])
        for panel in self.window.side.panels.values():
            if isinstance(panel, FollowsStringMode):
                panel.set_string_mode(on)
        self._fit_columns(on)
        current = self.window.model
        if on and current is not None and not _reads_strings(current):
            self._previous = current.name
            self.window.model_requested.emit(STRING_MODEL, None)
        elif not on and self._previous is not None:
            previous, self._previous = self._previous, None
            if _reads_strings(current):
                self.window.model_requested.emit(previous, None)

    def _fit_columns(self, on: bool) -> None:
        """A string needs a wide pad: widen the input column (taking from the maps), and give the
        columns back their widths when string mode ends."""
        columns = self.window.columns
        sizes = columns.sizes()
        if on and len(sizes) == 3 and sizes[0] < PAD_SHARE * sum(sizes):
            self._sizes = sizes
            left = round(PAD_SHARE * sum(sizes))
            columns.setSizes([left, max(1, sizes[1] - (left - sizes[0])), sizes[2]])
        elif not on and self._sizes is not None:
            columns.setSizes(self._sizes)
            self._sizes = None
