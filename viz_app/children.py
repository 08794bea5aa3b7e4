"""Child processes of the app: work that competes with the live frames runs in one of these.

A child is a plain new interpreter running one module of the package (``python -m MODULE FD
...``), joined to the app by a socket pair: unlike ``multiprocessing``'s spawn it never runs the
parent's main script again (a script without a ``__main__`` guard would start a second app), and
it shares no interpreter lock, torch thread pool or Qt state with the window. Qt-free and torch-free.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path


def launch_child(module: str, *args: str) -> tuple[subprocess.Popen[bytes], Connection]:
    """Start ``python -m module FD *args``; the child reads and writes its end of the socket pair
    through ``Connection(int(sys.argv[1]))``."""
    ours, theirs = socket.socketpair()
    package_root = str(Path(__file__).resolve().parents[1])  # where viz_app is importable from
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (package_root, os.environ.get("PYTHONPATH"))))}
    try:
        process = subprocess.Popen([sys.executable, "-m", module, str(theirs.fileno()), *args], pass_fds=(theirs.fileno(),),
                                   stdin=subprocess.DEVNULL, env=env)  # fmt: skip
    finally:
        theirs.close()
    return process, Connection(ours.detach())


def end_child(process: subprocess.Popen[bytes] | None, conn: Connection | None, grace_s: float = 0.1) -> None:
    """Ask the child to end (None on its connection), give it ``grace_s``, then kill it."""
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.send(None)
    if process is not None:
        try:
            process.wait(grace_s)  # an idle child ends at once; one in the middle of its work is killed
        except subprocess.TimeoutExpired:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):  # a child at idle priority on a busy machine may take
                process.wait(1.0)  # a while to be scheduled and die: it is killed, the app need not wait for it


def idle_priority() -> None:
    """Run this process only on CPU time nothing else wants (Linux), or as nicely as the system allows."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    except (AttributeError, OSError):
        pass
    lower_priority(19)


def lower_priority(niceness: int) -> None:
    """Give way to the app's own threads by ``niceness`` (0-19), where the system allows."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(niceness)
