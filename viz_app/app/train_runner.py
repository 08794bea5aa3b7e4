"""The Train tab at work: a training child process, and the model shown following it as it learns.

``TrainRunner`` turns the panel's buttons into commands for the child (``viz_app.training.
live_process``), reads the child's messages on a side thread and hands them to the GUI thread.
When a run starts, the view shows the model with the weights file the child writes; after every
publication (over 10 a second) the view asks the worker to read that file again into the model
shown (``ViewModel.reload_weights``), so the maps, the answer, the filters and every panel follow
the model as it learns, while the frames keep their own thread and the training its own process.
The answer panel says which weights it shows (step, held-out accuracy), presentation included.
"""

from __future__ import annotations

import threading
from multiprocessing.connection import Connection
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog

from viz_app.errors import UserError
from viz_app.paths import cache_dir
from viz_app.records.training import LiveSettings, Progress
from viz_app.state.view import ViewModel, ViewState
from viz_app.training.live import check_trainable
from viz_app.training.live_process import Job, Save, Saved, Started, TrainProcess
from viz_app.ui.main_window import MainWindow

GONE = "gone"  # the reader's word for a child that is no more


def live_folder() -> Path:
    """Where the weights being trained live are written for the window to read (per user)."""
    return cache_dir() / "live"


class TrainRunner(QObject):
    """One training child for the window; ``close()`` ends it (killed mid-step after half a second)."""

    _arrived = Signal(str, object)  # from the reader thread: (kind, payload), delivered in the GUI thread

    def __init__(self, window: MainWindow, view: ViewModel, folder: Path | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._view = view
        self._panel = window.train_panel
        self.folder = folder or live_folder()  # where the weights being trained are written
        self.process = TrainProcess()
        self._conn: Connection | None = None
        self.job: Job | None = None
        self._then: str | None = None  # "run" or "step" once the job has started
        self.last: Progress | None = None
        self._closing = False
        self._arrived.connect(self._on_message)
        panel = self._panel
        panel.start_requested.connect(lambda start, settings: self.begin(start, settings, "run"))
        panel.step_requested.connect(self._on_step)
        panel.reset_requested.connect(lambda start, settings: self.begin(start, settings, None))
        panel.run_requested.connect(self.resume)
        panel.pause_requested.connect(lambda: self._send("pause"))
        panel.settings_changed.connect(self._on_settings)
        panel.save_requested.connect(self._on_save_requested)
        view.subscribe(self._on_view_changed)
        self._on_view_changed(view.state, None)

    # --- commands ---------------------------------------------------------------------------------
    def begin(self, start: str, settings: LiveSettings, then: str | None) -> None:
        """A new run of the model shown from step 0 (``then``: "run", "step" or None to wait)."""
        name = self._view.state.model.name
        try:
            check_trainable(name)
            settings = settings.checked()
            self.folder.mkdir(parents=True, exist_ok=True)
        except (UserError, OSError) as exc:
            self._fail(str(exc))
            return
        self.job = Job(name, start, settings, str(self.folder / f"{name}-live.pt"))
        self._then, self.last = then, None
        self._panel.starting()
        try:
            conn = self.process.start(self.job)
        except (UserError, OSError) as exc:
            self._fail(f"Could not start training: {exc}")
            return
        if conn is not self._conn:  # a new child (the first, or one after a death): a reader for it
            self._conn = conn
            threading.Thread(target=self._read, args=(conn,), name="train-reader", daemon=True).start()

    def save_to(self, path: Path, overwrite: bool = False) -> bool:
        """Save the weights being trained (and their card) to ``path``; an existing file only with
        ``overwrite`` (the file dialog has asked). False, with a message, when nothing was asked of the child."""
        if self.job is None:
            self._window.show_message("Nothing to save: start training first")
            return False
        if path.exists() and not overwrite:
            self._window.show_message(f"{path} exists and was not overwritten: choose another name")
            return False
        return self._send(Save(str(path)))

    def close(self) -> None:
        """End the child (nothing more is reported) and show the model's own weights instead of those being trained."""
        self._closing = True
        self.process.close()
        self.forget_live_weights()

    def resume(self) -> bool:
        """Train on from where the run stands (after a pause or a save)."""
        return self._send("run")

    def forget_live_weights(self) -> None:
        """Show the model with its own weights again where it shows the file being trained (closing:
        the next start opens what was saved, not a file of the cache)."""
        model = self._view.state.model
        if model.weights is not None and Path(model.weights).parent == self.folder:
            self._view.choose_model(model.name)

    def _send(self, command: object) -> bool:
        return self.job is not None and self.process.send(command)

    def _on_step(self, start: str, settings: LiveSettings) -> None:
        if self.job is None:
            self.begin(start, settings, "step")
        else:
            self._send("step")

    def _on_settings(self, settings: LiveSettings) -> None:
        try:
            settings.checked()
        except UserError as exc:
            self._window.show_message(str(exc))
            return
        self._send(settings)

    def _on_save_requested(self) -> None:
        if self.job is None:
            return
        suggested = str(Path.home() / f"{self.job.model}-trained.pt")
        chosen, _ = QFileDialog.getSaveFileName(self._window, "Save the trained weights", suggested, "PyTorch weights (*.pt)")
        if chosen:  # the dialog asked before replacing a file
            self.save_to(Path(chosen), overwrite=True)

    # --- the child's messages -----------------------------------------------------------------------
    def _read(self, conn: Connection) -> None:
        """Side thread: pass every message of this child on, then that it has gone."""
        while True:
            try:
                kind, payload = conn.recv()
            except (EOFError, OSError, TypeError, ValueError):
                kind, payload = GONE, conn
            try:
                self._arrived.emit(kind, payload)
            except RuntimeError:  # the window is gone: nobody to tell
                return
            if kind == GONE:
                return

    @Slot(str, object)
    def _on_message(self, kind: str, payload: object) -> None:
        if self._closing:
            return
        if kind == "started" and isinstance(payload, Started) and payload.job == self.job:
            self._show_weights()
            then, self._then = self._then, None
            if then is not None:
                self._send(then)
        elif kind == "progress" and isinstance(payload, Progress) and self.job is not None:
            self.last = payload
            self._panel.show_progress(payload)
            self._show_weights()
        elif kind == "stopped":
            self._panel.show_stopped(str(payload))
            self._window.show_message(str(payload))
            self._show_weights()
        elif kind == "saved" and isinstance(payload, Saved):
            self._window.show_message(f"Saved {payload.path}: {payload.test_accuracy:.2%} on the 10,000 MNIST test digits "
                                      f"({payload.test_errors} errors). File > Open weights shows them again.")  # fmt: skip
        elif kind == "error":
            self._fail(str(payload))
        elif kind == GONE and payload is self._conn:
            self._conn = None
            if self.job is not None:
                self._fail("The training process stopped unexpectedly; the model keeps the last weights it was sent. "
                           "Start trains again from step 0.")  # fmt: skip

    def _fail(self, message: str) -> None:
        self.job = None
        self._panel.show_failed(message)
        self._window.show_message(message)
        self._window.probabilities.set_weights_note("")

    def _show_weights(self) -> None:
        """The view shows the weights being trained, read again from their file; the answer says which they are."""
        job = self.job
        if job is None:
            return
        if (self._view.state.model.name, self._view.state.model.weights) != (job.model, job.weights):
            self._view.choose_model(job.model, job.weights)
        else:
            self._view.reload_weights()
        step = self.last.step.step if self.last is not None and self.last.step is not None else 0
        held = self._panel.points[-1][1] if self._panel.points else None
        accuracy = f", held-out {held:.1%}" if held is not None else ""
        self._window.probabilities.set_weights_note(f"Training live: step {step:,}{accuracy}")

    def _on_view_changed(self, state: ViewState, old: ViewState | None) -> None:
        """Another model shown: a run of the old one pauses; the panel names what Start would train."""
        if old is not None and state.model.name == old.model.name and state.model.weights == old.model.weights:
            return
        try:
            spec = check_trainable(state.model.name)
        except UserError as exc:
            self._panel.set_model(state.model.name, False, str(exc))
        else:
            self._panel.set_model(spec.title, True)
        job = self.job
        if job is not None and (state.model.name, state.model.weights) != (job.model, job.weights):
            self._send("pause")
            self.job = None
            self._window.probabilities.set_weights_note("")
            self._panel.show_failed(f"Training of {job.model} paused: another model is shown. Start trains the model shown from step 0.")
