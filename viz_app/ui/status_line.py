"""The status bar's contents: device, weights, download progress, and the shown rate and latency."""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from viz_app.records.frames import ModelInfo
from viz_app.ui.fit import shrinkable_label


class StatusLine(QObject):
    """Fills a window's status bar and keeps it current (rates refresh four times a second)."""

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.device_label = QLabel("starting…")
        self.weights_label = shrinkable_label(QLabel(""))
        self.rate_label = QLabel("")
        self.download = QProgressBar(maximumWidth=260, textVisible=True)
        self.download.hide()
        bar.addWidget(self.device_label)
        bar.addWidget(self.weights_label, 1)
        bar.addPermanentWidget(self.download)
        bar.addPermanentWidget(self.rate_label)
        self._latencies: deque[float] = deque(maxlen=120)  # input event -> panels updated, ms
        self._shown_at: deque[float] = deque(maxlen=240)  # perf_counter of each shown frame
        self._skip = 0  # frames still to leave out of the latency (the first after a load waited for the load)
        self._timer = QTimer(self, interval=250, timeout=self._refresh_rates)
        self._timer.start()

    def show_model(self, info: ModelInfo) -> None:
        """The device the model runs on and where its weights came from."""
        self.download.hide()
        self._latencies.clear()  # the new model's own latency, not the old one's nor the load's
        self._skip = 1
        self.device_label.setText(f"Device: {info.device}")
        if info.trained:
            accuracy = f", {info.accuracy:.2%} on {info.accuracy_on}" if info.accuracy is not None else ""
            self.weights_label.setText(f"{info.title}: trained weights {Path(info.weights).name}{accuracy}")
        else:
            self.weights_label.setText(f"{info.title}: UNTRAINED WEIGHTS")

    def show_download(self, name: str, done: int, total: int) -> None:
        """Progress of a model's pretrained weights coming down; hidden once complete."""
        if total and done >= total:
            self.download.hide()
            return
        self.download.show()
        if total:
            self.download.setRange(0, 1000)
            self.download.setValue(int(1000 * done / total))
            self.download.setFormat(f"{name}: {done / 2**20:.0f} of {total / 2**20:.0f} MB")
        else:
            self.download.setRange(0, 0)  # busy indicator: size unknown
            self.download.setFormat(f"{name}: {done / 2**20:.0f} MB")

    def frame_shown(self, t_event: float, t_shown: float) -> None:
        """Count a frame the panels now show, with the input event it answers."""
        self._shown_at.append(t_shown)
        if self._skip:
            self._skip -= 1  # its input came while the model loaded: its latency is the load's
            return
        self._latencies.append((t_shown - t_event) * 1e3)

    def stop(self) -> None:
        """Stop refreshing (the window is closing)."""
        self._timer.stop()

    def _refresh_rates(self) -> None:
        if not self._shown_at:
            return
        now = time.perf_counter()
        recent = sum(1 for t in self._shown_at if now - t <= 1.0)
        rate = f"{recent} fps" if recent else "idle"
        latency = f" · latency {float(np.median(self._latencies)):.1f} ms (median)" if self._latencies else ""
        self.rate_label.setText(rate + latency)
