"""The Model zoo tab's chart: the zoo timed on a side thread when the chart asks."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from viz_app.app.threads import OffThread
from viz_app.ui.main_window import MainWindow


def _time_zoo(device_spec: str) -> list:
    """The MNIST zoo's accuracy and throughput on ``device_spec`` (the CPU if that is unusable)."""
    from viz_app.models.device import resolve_device
    from viz_app.models.throughput import measure_zoo

    try:
        device = resolve_device(device_spec)
    except ValueError:
        device = resolve_device("cpu")
    return measure_zoo(device, runs=5)


class ZooBenchRunner(QObject):
    """Times the MNIST zoo on a side thread when the chart asks, and fills the chart."""

    def __init__(self, device: str, window: MainWindow) -> None:
        super().__init__(window)
        self._device = device
        self._window = window
        self._runner = OffThread("zoo-bench", self)
        self._runner.finished.connect(self._on_timed)
        self._runner.failed.connect(self._on_failed)

    def start(self) -> None:
        """Time the zoo on the side thread (the chart shows it is busy)."""
        self._window.zoo_chart.set_busy(True)
        self._runner.run(_time_zoo, self._device)

    @Slot(object, object)
    def _on_timed(self, _context: object, rows: list) -> None:
        self._window.zoo_chart.set_busy(False)
        self._window.zoo_chart.set_rows(rows)

    @Slot(object, str)
    def _on_failed(self, _context: object, message: str) -> None:
        # A broken model must not take the window down.
        self._window.zoo_chart.set_busy(False)
        self._window.show_message(f"Could not time the model zoo: {message}")

    def stop(self) -> None:
        """Cancel timing not yet begun; nothing more is reported."""
        self._runner.close()
