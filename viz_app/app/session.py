"""Putting the window and the inference thread together: the composition root of the GUI."""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TextIO

import viz_app.opencv  # noqa: F401 - OpenCV first, so it cannot repoint Qt's plugin path later
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QtMsgType, Signal, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from viz_app.models import list_specs
from viz_app.paths import resources_dir
from viz_app.records.frames import FrameResult
from viz_app.app.source_control import attach_sources
from viz_app.ui.main_window import MainWindow
from viz_app.app.threads import LatestMailbox
from viz_app.app.worker import InferenceThread


class PredictionLog:
    """Appends each shown prediction to a file as one JSON line (for scripted checks)."""

    def __init__(self, path: Path) -> None:
        self._file: TextIO = path.open("a", encoding="utf-8", buffering=1)

    def write(self, result: FrameResult, t_shown: float) -> None:
        record = {
            "seq": result.seq,
            "model": result.model,
            "empty": result.empty,
            "prediction": None if result.empty else result.classes[result.prediction],
            "confidence": round(result.confidence, 4),
            "latency_ms": round((t_shown - result.t_event) * 1e3, 2),
        }
        self._file.write(json.dumps(record) + "\n")

    def write_ready(self, window: MainWindow) -> None:
        """Where the pad is on the screen, so a script can draw on it with real pointer events."""
        rect = window.pad.paper_rect()
        top_left = window.pad.mapToGlobal(rect.topLeft().toPoint())
        record = {"event": "ready", "model": window.model.name if window.model else None,
                  "pad": [top_left.x(), top_left.y(), round(rect.width()), round(rect.height())]}
        self._file.write(json.dumps(record) + "\n")

    def close(self) -> None:
        self._file.close()


_QUIET = ("propagateSizeHints",)  # the offscreen platform's harmless complaint, once per resize


def _qt_messages(mode: QtMsgType, context, message: str) -> None:  # noqa: ANN001
    if not any(text in message for text in _QUIET):
        sys.stderr.write(message + "\n")


def make_application(argv: list[str] | None = None) -> QApplication:
    qInstallMessageHandler(_qt_messages)
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("cnn-viz")
    app.setOrganizationName("cnn-viz")
    icon = resources_dir() / "icon.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    style = resources_dir() / "style.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)
    return app


class ZooBenchRunner(QObject):
    """Times the MNIST zoo on a side thread when the chart asks, and fills the chart."""

    finished = Signal(object, str)  # list of ZooRow, and an error message ("" when it worked)

    def __init__(self, device: str, window: MainWindow) -> None:
        super().__init__(window)
        self._device = device
        self._window = window
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zoo-bench")
        self.finished.connect(self._on_finished)

    def start(self) -> None:
        self._window.zoo_chart.set_busy(True)
        self._pool.submit(self._measure)

    def _measure(self) -> None:
        from viz_app.models.device import resolve_device
        from viz_app.bench.zoo import bench_zoo

        try:
            device = resolve_device(self._device)
        except ValueError:
            device = resolve_device("cpu")
        try:
            self.finished.emit(bench_zoo(device, runs=5), "")
        except Exception as exc:  # a broken model must not take the window down
            self.finished.emit([], f"Could not time the model zoo: {exc}")

    def _on_finished(self, rows: list, error: str) -> None:
        self._window.zoo_chart.set_busy(False)
        if error:
            self._window.show_message(error)
        else:
            self._window.zoo_chart.set_rows(rows)

    def stop(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class Session:
    """A window wired to an inference thread; ``close()`` stops the thread cleanly."""

    def __init__(self, model: str = "lenet5", device: str = "auto", weights: Path | None = None, sync_timing: bool = False) -> None:
        self.window = MainWindow([(s.name, s.title, s.group) for s in list_specs()])
        self.inference = InferenceThread(device, sync_timing)
        worker = self.inference.worker
        # Direct: submit() only fills the thread-safe mailbox, so no queue can build up.
        self.window.frame_ready.connect(worker.submit, Qt.ConnectionType.DirectConnection)
        self.window.model_requested.connect(worker.load)
        self.window.norm_requested.connect(worker.set_norm)
        # Newest result wins on the GUI side too: a GUI busy for a moment draws the frame of
        # now, not a queue of old ones.
        self._results = LatestMailbox(self.window)
        worker.result_ready.connect(self._results.put, Qt.ConnectionType.DirectConnection)
        self._results.arrived.connect(self.window.show_result)
        worker.model_loaded.connect(self.window.show_model)
        worker.failed.connect(self.window.show_message)
        worker.download_progress.connect(self.window.show_download)
        worker.summary_ready.connect(self.window.show_costs)
        self.window.layers_requested.connect(worker.set_layers)
        self.window.extra_requested.connect(worker.set_extra)
        self.zoo_bench = ZooBenchRunner(device, self.window)
        self.window.zoo_chart.measure_requested.connect(self.zoo_bench.start)
        self.window.closing.connect(self.close)
        self.inference.start()
        self.window.model_requested.emit(model, str(weights) if weights else None)

    def close(self) -> None:
        self.zoo_bench.stop()
        self.inference.stop()


def run_app(args: argparse.Namespace) -> int:
    app = make_application()
    session = Session(args.model, args.device, args.weights)
    sources = attach_sources(session, args.source)
    log = PredictionLog(args.log_predictions) if args.log_predictions else None
    session.window.show()
    if log:
        session.window.result_shown.connect(log.write)
        session.window.model_shown.connect(lambda _info: log.write_ready(session.window))
    try:
        return app.exec()
    finally:
        sources.stop()
        session.close()
        if log:
            log.close()
