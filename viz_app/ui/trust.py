"""Asking before a user's Python model file runs: it is code, with the user's permissions.

A ``.py`` model picked from "More models..." or dropped on the window is imported and its
``build()`` called: whatever else the file does, it does. The window asks once per file content
(its SHA-256) and remembers the answer "Open" for that content only, so a file changed since asks
again. An ONNX file is data (a graph and its weights) and opens without asking; a model named on
the command line (``cnn-viz --model net.py``) was asked for by the user in so many words.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

MAX_TRUSTED = 256  # file contents remembered; the oldest are forgotten first
QUESTION = (
    "{name} is Python code and runs with your permissions: it can read, change and send your files. "
    "Open it only if you trust where it came from.\n\n{path}"
)


def python_file(name: str) -> Path | None:
    """The Python file a model name opens (``net.py`` or ``net.py:build``), or None for any other name."""
    base = name.rsplit(":", 1)[0] if ".py:" in name else name
    return Path(base).expanduser() if base.lower().endswith(".py") else None


def content_hash(path: Path) -> str | None:
    """The file's SHA-256, or None where it cannot be read (opening it will say why)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def ask_with_a_dialog(parent: QWidget, path: Path) -> bool:
    """The question, in a dialog whose default answer is Cancel."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Open Python code?", QUESTION.format(name=path.name, path=path),
                      QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel, parent)  # fmt: skip
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Open


class CodeTrust:
    """Which Python model files the user let run, by content; ``allows(name)`` asks about a new one."""

    def __init__(self, parent: QWidget, ask: Callable[[QWidget, Path], bool] = ask_with_a_dialog) -> None:
        self._parent = parent
        self.ask = ask  # the question (a test answers it)
        self.trusted: list[str] = []  # SHA-256 of the contents allowed, oldest first (settings keep them)

    def allows(self, name: str) -> bool:
        """Whether model ``name`` may be opened: not a Python file, one whose content was allowed
        before, or one the user allows now."""
        path = python_file(name)
        if path is None:
            return True
        digest = content_hash(path)
        if digest is None or digest in self.trusted:
            return True
        if not self.ask(self._parent, path):
            return False
        self.trusted = [*self.trusted, digest][-MAX_TRUSTED:]
        return True
