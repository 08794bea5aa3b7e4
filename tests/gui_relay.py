"""A worker thread's signal, emitted again on the GUI thread, for ``qtbot.waitSignal`` to watch.

pytest-qt's wait stops its timer in the slot it connects; connected straight to a signal the
inference thread emits, that slot runs on the inference thread, and Qt says "killTimer: Timers
cannot be stopped from another thread". Through a relay living on the GUI thread the signal
arrives queued, as it does in the window.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, SignalInstance


class GuiRelay(QObject):
    """``relay(signal)``: a signal of this GUI-thread object that carries ``signal``'s argument
    (a tuple of them, for a signal with several)."""

    relayed = Signal(object)

    def relay(self, signal: SignalInstance) -> SignalInstance:
        signal.connect(self._pass_on)  # this object lives on the GUI thread: the call is queued there
        return self.relayed

    def _pass_on(self, *values: object) -> None:
        self.relayed.emit(values[0] if len(values) == 1 else values)
