"""Files dropped anywhere on a window, whatever widget is under the cursor."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QWindow
from PySide6.QtWidgets import QWidget

MODEL_SUFFIXES = (".py", ".onnx")  # a network of the user's own: opened as the model, not as an input


class FileDropFilter(QObject):
    """Watches ``window``'s native QWindow and takes drags of local files onto it.

    Drag events reach the window's native QWindow before the widget under the cursor; taking
    them there makes every part of the window (graphics views included) a drop target. A
    dropped model file (``.py``, ``.onnx``) goes to the window's ``model_requested`` as if
    picked; any other file to ``dropped``. Only the window's own events pass through here (a
    filter on the application would run Python for every event of every widget: about 70
    a frame while a digit is drawn).
    """

    dropped = Signal(str)  # the local path of the first file dropped

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._handles: list[QWindow] = []  # the native windows watched (Qt may make a new one)
        window.setAcceptDrops(True)

    def install(self) -> None:
        """Watch the window: its native window once it has one (shown), and any later one."""
        self._window.installEventFilter(self)
        self._watch_native()

    def remove(self) -> None:
        self._window.removeEventFilter(self)
        for handle in self._handles:
            handle.removeEventFilter(self)
        self._handles = []

    def _watch_native(self) -> None:
        handle = self._window.windowHandle()
        if handle is not None and handle not in self._handles:
            handle.installEventFilter(self)
            handle.destroyed.connect(lambda: self._handles.remove(handle) if handle in self._handles else None)
            self._handles.append(handle)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if watched is self._window:
            if kind in (QEvent.Type.Show, QEvent.Type.WinIdChange):
                self._watch_native()
            return False
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        path = _local_file(event)
        if path is None:
            return False
        event.acceptProposedAction()
        if kind == QEvent.Type.Drop:
            request = getattr(self._window, "model_requested", None)
            if request is not None and path.lower().endswith(MODEL_SUFFIXES):
                request.emit(path, None)
            else:
                self.dropped.emit(path)
        return True


def _local_file(event: QDragEnterEvent | QDropEvent) -> str | None:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            return url.toLocalFile()
    return None
