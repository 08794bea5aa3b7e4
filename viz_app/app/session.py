"""Putting the window and the inference thread together: the composition root of the GUI."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO, cast

import viz_app.opencv  # noqa: F401 - OpenCV first, so it cannot repoint Qt's plugin path later

# isort: split
import pyqtgraph as pg
from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QMetaObject,
    QObject,
    QSettings,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from viz_app.app.collector import MemoryCollector
from viz_app.app.favourite import FavouriteRunner
from viz_app.app.lecture import LectureTools
from viz_app.app.quit_signals import QuitOnSignals
from viz_app.app.remembered import RememberedSettings
from viz_app.app.source_control import SourceController
from viz_app.app.threads import LatestMailbox, OnThisThread
from viz_app.app.trace import FrameTrace
from viz_app.app.train_runner import TrainRunner
from viz_app.app.worker import InferenceThread
from viz_app.app.zoo_bench import ZooBenchRunner
from viz_app.files import WriteError
from viz_app.models import list_specs
from viz_app.paths import resources_dir
from viz_app.records.frames import FrameResult
from viz_app.sources.spec import SourceSpec, SourceSpecError, parse_source
from viz_app.state.options import DEFAULT_RUN, RunOptions
from viz_app.state.panels import FAVOURITES, with_capability
from viz_app.state.view import ModelChoice, ViewModel, ViewState, WorkerRequest, request_of
from viz_app.ui.main_window import MainWindow


class PredictionLog:
    """Appends each shown prediction to a file as one JSON line (for scripted checks).

    Scripts read it while it grows, so it is appended to line by line, not written whole at the
    end; a line that cannot be written (a full disk) ends the log with one line on stderr, and
    the window goes on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: TextIO | None = path.open("a", encoding="utf-8", buffering=1)

    def _append(self, record: dict[str, Any]) -> None:
        if self._file is None:
            return
        try:
            self._file.write(json.dumps(record) + "\n")
        except OSError as exc:
            print(f"cnn-viz: the prediction log {self.path} stops here: {exc.strerror or exc}", file=sys.stderr, flush=True)
            self.close()

    def write(self, result: FrameResult, t_shown: float) -> None:
        """One JSON line for a prediction the window showed at ``t_shown``."""
        record = {
            "seq": result.seq,
            "model": result.model,
            "empty": result.empty,
            "prediction": None if result.empty else result.classes[result.prediction],
            "confidence": round(result.confidence, 4),
            "latency_ms": round((t_shown - result.t_event) * 1e3, 2),
        }
        self._append(record)

    def write_ready(self, window: MainWindow) -> None:
        """Where the pad is on the screen, so a script can draw on it with real pointer events."""
        rect = window.pad.paper_rect()
        top_left = window.pad.mapToGlobal(rect.topLeft().toPoint())
        record = {"event": "ready", "model": window.model.name if window.model else None,
                  "pad": [top_left.x(), top_left.y(), round(rect.width()), round(rect.height())]}
        self._append(record)

    def write_event(self, event: str) -> None:
        """A line that marks a moment of the window's life ("window": it is shown and its loop runs)."""
        self._append({"event": event})

    def close(self) -> None:
        """Close the log file (what a full disk kept in its buffer is lost)."""
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()


_QUIET = ("propagateSizeHints",)  # the offscreen platform's harmless complaint, once per resize


def _qt_messages(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if not any(text in message for text in _QUIET):
        sys.stderr.write(message + "\n")


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the app's name, icon, style sheet and pyqtgraph settings."""
    qInstallMessageHandler(_qt_messages)
    app = cast(QApplication, QApplication.instance() or QApplication(argv or sys.argv[:1]))
    app.setApplicationName("cnn-viz")
    app.setOrganizationName("cnn-viz")
    icon = resources_dir() / "icon.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    # With a style sheet, Qt stops passing a window's font on to its children unless told to:
    # presentation's large type and Ctrl+plus would reach the panels that set their own sizes only.
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_UseStyleSheetPropagationInWidgetStyles)
    style = resources_dir() / "style.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)
    return app


class Session:
    """A window wired to an inference thread and its input sources through one view state;
    ``close()`` stops the thread cleanly and leaves nothing queued for the window."""

    def __init__(self, model: str | None = "lenet5", run: RunOptions = DEFAULT_RUN, weights: Path | None = None,
                 settings: QSettings | None = None) -> None:  # fmt: skip
        """``model`` None: the remembered one (else LeNet-5). ``settings``: where the window's state
        is remembered between runs (run_app: the user's; a test: a temporary file); None: nowhere."""
        specs = list_specs()
        self.remembered = RememberedSettings(settings, [s.name for s in specs]) if settings is not None else None
        state = self.remembered.initial(ViewState()) if self.remembered is not None else ViewState()
        chosen = ModelChoice(model, str(weights) if weights else None) if model else state.model
        self.view = ViewModel(replace(state, model=chosen, run=run))
        self.window = MainWindow([(s.name, s.title, s.group) for s in specs], self.view)
        self.inference = InferenceThread()
        self._links: list[QMetaObject.Connection] = []
        self._closed = False
        self._sent: WorkerRequest | None = None  # the last request sent to the worker
        # Every input, the pad included, reaches the worker through the controller's shown source.
        self.sources = SourceController(self.window, self.inference.worker)
        # Newest result wins on the GUI side too: a GUI busy for a moment draws the frame of
        # now, not a queue of old ones.
        self._results = LatestMailbox(self.window)
        self._collector = MemoryCollector(self.window)
        self.zoo_bench = ZooBenchRunner(run.device, self.window)
        self.training = TrainRunner(self.window, self.view)
        self.lecture = LectureTools(self.window)
        self._favourites = [FavouriteRunner(self.window) for _ in with_capability(FAVOURITES)]
        for spec, runner in zip(with_capability(FAVOURITES), self._favourites):
            cast(Any, self.window.panel(spec.key)).set_favourites(runner)
        self._wire()
        worker = self.inference.worker
        self.geometry_restored = (
            self.remembered.attach(self.window, self.sources, self.lecture, worker.summary_ready) if self.remembered is not None else False
        )
        self.inference.start()
        self._on_view_changed(self.view.state, self.view.state)  # the first request: the model to open

    def _wire(self) -> None:
        worker, window = self.inference.worker, self.window
        direct = Qt.ConnectionType.DirectConnection
        links = [
            (self._results.arrived, window.show_result),
            (self._results.arrived, self._after_drawing),
            (worker.model_loaded, window.show_model),
            (worker.failed, window.show_message),
            (worker.refused, OnThisThread(self._on_refused, window).call),  # on the GUI thread, not the worker's
            (worker.download_progress, window.show_download),
            (worker.summary_ready, window.show_costs),
            (worker.released, self._collector.collect),
            (window.zoo_chart.measure_requested, self.zoo_bench.start),
        ]
        self._links = [signal.connect(slot) for signal, slot in links]
        self._links.append(worker.result_ready.connect(self._results.put, direct))
        self.view.subscribe(self._on_view_changed)
        window.closing.connect(self.close)

    def _on_view_changed(self, state: ViewState, _old: ViewState) -> None:
        """The worker follows the view: a whole request whenever what it computes changes."""
        request = request_of(state)
        if self._closed or request.same_work(self._sent):
            return
        self._sent = request
        self.inference.worker.request(request)

    def _on_refused(self, applied: WorkerRequest, message: str) -> None:
        """The worker could not apply the request: the view takes back what is in force (the
        picker shows the model really shown), and the window says why."""
        self._sent = applied
        self.view.accept(applied)
        self.window.show_message(message)

    def _after_drawing(self, _result: object) -> None:
        """Tell the worker when this result's paint events have run (a model that takes every
        core waits for it: ``models.device.waits_for_drawing``). A zero timer fires after the
        events already posted, the repaints the result asked for among them
        (tests/app/test_drawing_wait.py checks the order)."""
        worker = self.inference.worker
        QTimer.singleShot(0, lambda: worker.drawn())  # a lambda: the timer stays on this thread

    def close(self, wait_ms: int = 10_000) -> None:
        """Stop the sources, the side threads and the inference thread (waiting for it at most
        ``wait_ms``), then cut every line to the window and drop what is still queued for it."""
        if self._closed:
            return
        self._closed = True
        self.lecture.recorder.stop()
        self.training.close()  # the child ends; the weights being trained are not what the next start opens
        if self.remembered is not None:
            self.remembered.save()
        self.sources.close()
        self.zoo_bench.stop()
        for runner in self._favourites:
            runner.close()
        self.inference.stop(wait_ms)
        self._results.close()
        for link in self._links:
            QObject.disconnect(link)
        self._links = []
        for receiver in (self.window, self._results, self.zoo_bench):
            QCoreApplication.removePostedEvents(receiver)


def attach_sources(session: Session, source_spec: str | SourceSpec = "pad") -> SourceController:
    """Show and start ``source_spec`` (a --source string or an already parsed SourceSpec) in
    the session's input tabs; returns the session's SourceController."""
    controller = session.sources
    try:
        spec = source_spec if isinstance(source_spec, SourceSpec) else parse_source(source_spec)
    except SourceSpecError as exc:
        session.window.show_message(f"{exc}; starting with the drawing pad")
        return controller
    controller.open_spec(spec)
    return controller


def save_trace(trace: FrameTrace) -> None:
    """Write the trace, saying where (or, in one line, why not)."""
    try:
        path = trace.save()
    except WriteError as exc:
        print(f"cnn-viz: {exc}", file=sys.stderr)
        return
    print(f"cnn-viz: trace of {trace.frames} frames written to {path} (open it in ui.perfetto.dev or chrome://tracing)", file=sys.stderr)


EXIT_WAIT_MS = 500  # how long a closing window waits for the inference thread before the process ends


def run_app(args: argparse.Namespace) -> int:
    """`cnn-viz` without a subcommand: the window, its sources and the prediction log, until it closes."""
    app = make_application()
    store = QSettings()
    if getattr(args, "reset_settings", False):
        store.clear()
    session = Session(args.model, RunOptions.from_args(args), args.weights, settings=store)
    source = args.source
    if session.remembered is not None and source is None:
        session.remembered.apply_source()  # no --source given: the input of last time
    else:
        attach_sources(session, source or "pad")
    log = PredictionLog(args.log_predictions) if args.log_predictions else None
    trace = FrameTrace(args.trace, session.window) if getattr(args, "trace", None) else None
    if trace is not None:
        trace.attach(session.window)
    if getattr(args, "train", False):  # --train: the window opens at its Train tab
        session.window.side.setCurrentWidget(session.window.train_panel)
    if session.geometry_restored:
        session.window.show()
    else:  # the first start: the whole screen, also where no window manager maximises
        screen = session.window.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            session.window.setGeometry(screen.availableGeometry())
        session.window.showMaximized()
    if log:
        session.window.result_shown.connect(log.write)
        session.window.model_shown.connect(lambda _info: log.write_ready(session.window))
        QTimer.singleShot(0, lambda: log.write_event("window"))  # the window is up (its model may still be loading)
    quit_on_signals = QuitOnSignals(session.window)
    try:
        return app.exec()
    finally:
        quit_on_signals.remove()
        # The process ends right after: a torch call in progress (a layer being initialised) need not finish for the settings and log to be saved.
        session.close(wait_ms=EXIT_WAIT_MS)
        if log:
            log.close()
        if trace is not None:
            save_trace(trace)
