"""Training live in a process of its own, for the window's Train panel.

A training step takes the CPU for milliseconds at a time. On a thread of the app it would share
the interpreter lock and torch's threads with the live frames; here it runs in a child process
(``viz_app.children``) at a lower priority, with one torch thread, so the pad, the camera and every
panel stay live and the frames come first.

The child builds the zoo model (random or shipped weights), reads MNIST, and on "run" trains
batch after batch (``LiveTrainer``). At most ``PUBLISH_S`` apart it writes the weights to the file
the window shows (written beside it and renamed onto it, so the window never reads half a file)
and sends a ``Progress``: the step's figures, the first convolution's filters and, every
``SCORE_S``, the accuracy on the 1,000 held-out test digits. The window reloads that file into the
model it shows (``ViewModel.reload_weights``), hooks and all kept, and runs the current input again.

Commands, parent to child: ``Start(job)``, "run", "pause", "step", ``LiveSettings``, ``Save(path)``,
None (end). Messages, child to parent: ("ready", None), ("started", Started), ("progress",
Progress), ("stopped", message) (a loss that became NaN: paused, the last good weights published),
("saved", Saved), ("error", message) (the job could not start or save; the child carries on).
``TrainProcess`` is the parent's side; Qt-free, like all of ``viz_app.training``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from viz_app.children import end_child, launch_child, lower_priority
from viz_app.cores import spread_over_all_cores
from viz_app.errors import UserError
from viz_app.records.training import LiveSettings, Progress

if TYPE_CHECKING:
    from viz_app.training.live import LiveTrainer

PUBLISH_S = 0.06  # weights and figures go to the window at most this often: well above 10 a second
SCORE_S = 2.0  # seconds of training between two scores on the held-out digits
NICENESS = 10  # below the app's own threads: its frames come first
CLOSE_GRACE_S = 0.5  # a child in the middle of a step is killed after this


@dataclass(frozen=True)
class Job:
    """What to train: a zoo model, from "random" or "shipped" weights, written to ``weights`` for the window."""

    model: str
    start: str
    settings: LiveSettings
    weights: str
    data: str | None = None


@dataclass(frozen=True)
class Start:
    job: Job


@dataclass(frozen=True)
class Save:
    path: str


@dataclass(frozen=True)
class Started:
    """The job runs (paused): its weights file holds the first weights."""

    job: Job
    held_out: float


@dataclass(frozen=True)
class Saved:
    path: str
    test_accuracy: float
    test_errors: int


class TrainProcess:
    """The parent's side: one child, started on the first job and ended by ``close()``.

    ``send`` from any thread; ``receive`` from one reader thread: the child's next message,
    None once it has gone (closed, or died: then ``died`` says so)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self.closed = False

    def start(self, job: Job) -> Connection:
        """Start the child unless it runs, and give it ``job`` (a running job is replaced)."""
        with self._lock:
            if self.closed:
                raise UserError("the window is closing")
            if self._process is None or self._process.poll() is not None:
                self._process, self._conn = launch_child("viz_app.training.live_process")
            assert self._conn is not None
            self._conn.send(Start(job))
            return self._conn

    def send(self, command: object) -> bool:
        """Pass ``command`` to the child; False when there is none to take it."""
        with self._lock:
            if self._conn is None or self.closed:
                return False
            try:
                self._conn.send(command)
            except OSError:
                return False
            return True

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs (tests)."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def close(self) -> None:
        """End the child: at once when idle, killed after ``CLOSE_GRACE_S`` in the middle of a step."""
        with self._lock:
            self.closed = True
            process, conn = self._process, self._conn
        end_child(process, conn, CLOSE_GRACE_S)
        if conn is not None:
            conn.close()


# --- the child -----------------------------------------------------------------------------


class _Child:
    """The child's state: the trainer of the job in hand, running or paused."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.trainer: LiveTrainer | None = None
        self.job: Job | None = None
        self.running = False
        self.published = 0.0  # perf_counter() of the last publication
        self.scored_at = 0.0  # the trainer's seconds at the last score
        self.test: Any = None

    def serve(self) -> None:
        while True:
            if not self.running:
                self.conn.poll(None)
            while self.conn.poll(0):
                command = self.conn.recv()
                if command is None:
                    return
                self.obey(command)
            if self.running:
                self.train(1)

    def obey(self, command: object) -> None:
        try:
            if isinstance(command, Start):
                self.begin(command.job)
            elif isinstance(command, LiveSettings) and self.trainer is not None:
                self.trainer.change(command)
            elif command == "run" and self.trainer is not None:
                self.running = True
            elif command == "pause":
                self.running = False
                self.publish(score=True)
            elif command == "step" and self.trainer is not None:
                self.running = False
                self.train(1, force=True)
            elif isinstance(command, Save) and self.trainer is not None:
                self.save(Path(command.path))
            elif self.trainer is None:
                self.conn.send(("error", "nothing to train: start a run first"))
        except UserError as exc:
            self.running = False
            self.conn.send(("error", str(exc)))
        except Exception as exc:  # the parent shows it; the child carries on
            self.running = False
            self.conn.send(("error", f"{type(exc).__name__}: {exc}"))

    def begin(self, job: Job) -> None:
        from viz_app.models import get_spec
        from viz_app.models.loader import load_model
        from viz_app.training.live import LiveTrainer
        from viz_app.training.mnist import load_split
        from viz_app.training.trainers import trainer_of

        self.trainer, self.running = None, False
        spec = get_spec(job.model)
        trainer_of(spec)  # a model without an MNIST recipe is refused in one line
        self.test = self.test if self.test is not None else load_split("test", job.data)
        train = load_split("train", job.data)
        model = load_model(spec.name, "cpu").model if job.start == "shipped" else None
        self.trainer = LiveTrainer(spec, train, self.test, job.settings.checked(), model)
        self.job = job
        self.scored_at = 0.0
        held_out = self.trainer.score()
        self.write_weights()
        self.conn.send(("started", Started(job, held_out)))
        self.conn.send(("progress", Progress(None, _filters(self.trainer.model), held_out, False)))

    def train(self, steps: int, force: bool = False) -> None:
        from viz_app.training.live import Diverged

        assert self.trainer is not None
        try:
            for _ in range(steps):
                self.trainer.step()
        except Diverged as exc:
            self.running = False
            self.publish(score=True)
            self.conn.send(("stopped", str(exc)))
            return
        if force or time.perf_counter() - self.published >= PUBLISH_S:
            self.publish(score=force or self.trainer.seconds - self.scored_at >= SCORE_S)

    def publish(self, score: bool) -> None:
        """The weights to the window's file, then the figures (the file is whole when they arrive)."""
        trainer = self.trainer
        if trainer is None:
            return
        held_out = None
        if score:
            held_out = trainer.score()
            self.scored_at = trainer.seconds
        self.write_weights()
        self.published = time.perf_counter()
        self.conn.send(("progress", Progress(trainer.last, _filters(trainer.model), held_out, self.running)))

    def write_weights(self) -> None:
        import torch

        assert self.trainer is not None and self.job is not None
        target = Path(self.job.weights)
        part = target.with_name(f".{target.name}.part")
        torch.save({k: v.detach().clone() for k, v in self.trainer.model.state_dict().items()}, part)
        os.replace(part, target)

    def save(self, path: Path) -> None:
        import torch

        from viz_app.training.evaluate import evaluate
        from viz_app.training.live import save_weights

        assert self.trainer is not None and self.job is not None
        self.running = False
        final = evaluate(self.trainer.model, self.trainer.spec, self.test, torch.device("cpu"))
        save_weights(path, self.trainer, final.accuracy, final.errors, self.job.start)
        self.conn.send(("saved", Saved(str(path), final.accuracy, final.errors)))


def _filters(model: Any) -> Any:
    from viz_app.probe.extras.filters import filters_record

    return filters_record(model)


def serve(conn: Connection) -> None:
    """The child: below the app's priority, one torch thread, on every core but the app's first."""
    spread_over_all_cores()  # started from the GUI thread, which may share one core with inference
    lower_priority(NICENESS)
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))
    import viz_app.training.live  # noqa: F401 (imported before READY: the first job does not wait for it)

    conn.send(("ready", None))
    try:
        _Child(conn).serve()
    except (EOFError, OSError):
        return  # the app has gone


if __name__ == "__main__":  # the child: ``launch_child`` passes the socket's file descriptor
    # Run the module's own copy, not __main__'s: the commands the app pickles are its classes.
    from viz_app.training import live_process

    live_process.serve(Connection(int(sys.argv[1])))
