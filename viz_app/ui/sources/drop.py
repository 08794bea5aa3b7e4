"""Files dropped anywhere on a window, whatever widget is under the cursor."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

MODEL_SUFFIXES = (".py", ".onnx")  # a network of the user's own: opened as the model, not as an input


class FileDropFilter(QObject):
    """Installed on the application, takes drags of local files onto ``window``.

    Drag events reach the window's native QWindow before the widget under the cursor; taking
    them there makes every part of the window (graphics views included) a drop target. A
    dropped model file (``.py``, ``.onnx``) goes to the window's ``model_requested`` as if
    picked; any other file to ``dropped``.
    """

    dropped = Signal(str)  # the local path of the first file dropped

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        window.setAcceptDrops(True)

    def install(self) -> None:
        QApplication.instance().installEventFilter(self)

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        if watched is not self._window.windowHandle():
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
