"""Favourite inputs in a process of their own, at the lowest CPU priority.

A favourite input is 160 small forward and backward passes. Run on a thread of the app's own
process they share its interpreter lock and its torch thread pool with the live frames, and
on a 2-core laptop every frame shown while one is computed came 1.65x later. Here they run in a
child process (a new interpreter running this module: no copy of the app's threads or Qt
state) that builds its own copy of the model, uses one torch thread and asks the operating system for idle priority
(``SCHED_IDLE`` on Linux, else the highest niceness), so the live frames always come first and
the ascent takes only the CPU they leave. On a machine whose CPU is never idle that CPU may never
come: ``CNN_VIZ_FAVOURITE_PRIORITY=normal`` runs the child at the app's own priority instead
(the tests do, so that they hold on a busy runner).

``FavouriteProcess.compute(spec, request)`` blocks its caller (the app's side thread) until the
child answers; the child is started on first use (or by ``start()`` ahead of it), restarted if
it died, and ended by ``close()``. A user's own model is opened in the child from its file
again, with the input, normalisation and weights the app opened it with.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from viz_app.children import end_child, idle_priority, launch_child
from viz_app.cores import spread_over_all_cores
from viz_app.errors import UserError

if TYPE_CHECKING:  # the child imports this module first: torch only once it runs at idle priority
    from viz_app.models.registry import ModelSpec
    from viz_app.probe.favourite import Ascent

POLL_S = 0.05  # how often a waiting caller looks for a cancel or a dead child
PRIORITY_ENV = "CNN_VIZ_FAVOURITE_PRIORITY"  # "idle" (the default) or "normal"
READY = "ready"  # the child's first word: it runs at idle priority and has imported torch


class FavouriteCancelled(Exception):
    """The computation was stopped (the app is closing): nothing to report."""


@dataclasses.dataclass(frozen=True)
class Job:
    """What the child needs: the model (its spec without the functions, which do not cross
    process lines), its weights file, and the unit."""

    spec: ModelSpec
    weights: str
    layer: str
    index: int


def portable(spec: ModelSpec) -> ModelSpec:
    """``spec`` without its builder and state-dict adapter: the child looks those up again by name."""
    return dataclasses.replace(spec, builder=_unbuildable, weights=dataclasses.replace(spec.weights, adapt_state_dict=None))


def _unbuildable() -> Any:
    raise RuntimeError("a spec sent to the favourite process is rebuilt there by name")


class FavouriteProcess:
    """The parent's side: one child process, one job at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one job and one start at a time
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._closed = threading.Event()

    def start(self) -> None:
        """Start the child now (it takes a second or two to import torch), unless it runs."""
        with self._lock:
            self._ensure()

    def compute(self, spec: ModelSpec, weights: str, layer: str, index: int) -> Ascent:
        """The favourite input of unit ``index`` of ``layer``: computed in the child, waited for here.

        Raises FavouriteCancelled after ``close()``, UserError with the child's message on failure.
        """
        with self._lock:
            conn = self._ensure()
            conn.send(Job(portable(spec), weights, layer, index))
            kind, payload = self._answer(conn)
        if kind == "error":
            raise UserError(payload)
        return payload

    def close(self) -> None:
        """End the child (a job under way is abandoned); callers waiting get FavouriteCancelled."""
        self._closed.set()
        end_child(self._process, self._conn)

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs (tests)."""
        return self._process.pid if self._process is not None and self._alive() else None

    def _alive(self) -> bool:
        """Whether the child runs (``poll`` also reaps one that ended)."""
        return self._process is not None and self._process.poll() is None

    def _ensure(self) -> Connection:
        if self._closed.is_set():
            raise FavouriteCancelled
        if not self._alive():
            self._drop()
            self._process, self._conn = _launch()
            self._answer(self._conn)  # READY
        assert self._conn is not None
        return self._conn

    def _answer(self, conn: Connection) -> tuple[str, Any]:
        """The child's next message, waited for; FavouriteCancelled after ``close()``, UserError if it died."""
        while not conn.poll(POLL_S):
            if self._closed.is_set():
                raise FavouriteCancelled
            if not self._alive():
                self._drop()
                raise UserError("the favourite-input process stopped before it answered; ask again to restart it")
        try:
            answer = conn.recv()
        except (EOFError, OSError) as exc:
            self._drop()
            raise UserError(f"the favourite-input process stopped: {exc}") from exc
        return answer

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn, self._process = None, None


def _launch() -> tuple[subprocess.Popen[bytes], Connection]:
    """Start ``python -m viz_app.probe.favourite_process FD PRIORITY`` (``viz_app.children``)."""
    return launch_child("viz_app.probe.favourite_process", child_priority())


# --- the child -----------------------------------------------------------------------------


def child_priority() -> str:
    """The child's CPU priority: "idle" unless $CNN_VIZ_FAVOURITE_PRIORITY asks for "normal"."""
    return "normal" if os.environ.get(PRIORITY_ENV, "").strip().lower() == "normal" else "idle"


def serve(conn: Connection, priority: str = "idle") -> None:
    """The child's loop: a Job in, ``("ok", Ascent)`` or ``("error", message)`` out; None ends it."""
    spread_over_all_cores()  # started from the GUI thread, which may share one core with inference
    if priority != "normal":
        idle_priority()
    import torch

    import viz_app.probe.favourite  # noqa: F401 (imported before READY: the first job does not wait for it)

    torch.set_num_threads(1)
    conn.send((READY, None))
    models: dict[tuple[str, str], Any] = {}
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send(("ok", _ascend(job, models)))
        except Exception as exc:  # the parent shows it; the child carries on
            conn.send(("error", str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"))


def _ascend(job: Job, models: dict[tuple[str, str], Any]) -> Ascent:
    from viz_app.probe.favourite import STEPS, favourite_input

    key = (job.spec.name, job.weights)
    if key not in models:
        models.clear()  # one copy at a time
        models[key] = _load(job.spec, job.weights)
    loaded = models[key]
    big = loaded.spec.input.size[0] * loaded.spec.input.size[1] * loaded.spec.input.channels > 4096
    return favourite_input(loaded.model, loaded.spec, job.layer, job.index, STEPS // 2 if big else STEPS)


def _load(sent: ModelSpec, weights: str) -> Any:
    """The model the parent shows, built here: by name, or a user's file opened again as the parent opened it."""
    from viz_app.models import load_model
    from viz_app.models.registry import get_spec
    from viz_app.models.user_model import GROUP, ModelOptions, open_spec

    if sent.group == GROUP:
        c, (h, w) = sent.input.channels, sent.input.size
        options = ModelOptions(input=f"{c}x{h}x{w}", mean=sent.input.mean, std=sent.input.std)
        spec = open_spec(sent.name, options)
        spec = dataclasses.replace(spec, weights=dataclasses.replace(spec.weights, file=sent.weights.file, own=sent.weights.own))
    else:
        spec = get_spec(sent.name)
    return load_model(spec, "cpu", weights or None)


if __name__ == "__main__":  # the child: ``_launch`` passes the socket's file descriptor and the priority
    serve(Connection(int(sys.argv[1])), *sys.argv[2:3])
