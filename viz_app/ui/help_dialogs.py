"""Help > Keyboard shortcuts and Help > About."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QLabel, QMessageBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

import viz_app
from viz_app.records.frames import ModelInfo


def shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(what, keys) for every action of ``window`` and its children that has a shortcut, sorted by
    name: a new action with a shortcut appears here by itself."""
    seen: dict[str, str] = {}
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        name = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…").strip()
        if keys and name:
            seen[name] = ", ".join(keys) if name not in seen else seen[name]
    return sorted(seen.items(), key=lambda item: item[0].lower())


LECTURE_KEYS = (
    "<b>In a lecture.</b> F11 presents the maps beside the answer, full screen; Shift+F11 (or F11 from a side "
    "tab) presents the side panel in view instead. PageDown and PageUp walk from the maps through every panel, "
    "Home goes back to the maps, Esc ends. Space freezes the panels on the current input; Ctrl+plus and "
    "Ctrl+minus size every text. Click a feature map to open that unit in the Unit tab."
)


class ShortcutsDialog(QDialog):
    """How a lecture uses the keys, over a two-column table of every keyboard shortcut in the window."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.intro = QLabel(LECTURE_KEYS)
        self.intro.setWordWrap(True)
        rows = shortcuts(window)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (name, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        # Every row in view without scrolling, as far as the screen allows.
        rows_height = self.table.verticalHeader().length() + self.table.horizontalHeader().height()
        screen = window.screen().availableGeometry().height() if window.screen() is not None else 800
        intro_height = self.intro.heightForWidth(496)
        self.resize(520, min(int(screen * 0.9), rows_height + intro_height + buttons.sizeHint().height() + 56))

    def rows(self) -> list[tuple[str, str]]:
        """What the table shows, row by row."""
        cells = [[self.table.item(r, c) for c in range(2)] for r in range(self.table.rowCount())]
        return [(name.text(), keys.text()) for name, keys in cells if name is not None and keys is not None]


def about_text(model: ModelInfo | None) -> str:
    """The About box's text: the version, and the model, device and weights in use."""
    lines = [f"<h3>cnn-viz {viz_app.__version__}</h3>", "<p>Watch a convolutional network think, layer by layer, live.</p>"]
    if model is None:
        lines.append("<p>No model loaded yet.</p>")
    else:
        weights = model.weights if model.trained else "untrained weights"
        accuracy = f" ({model.accuracy:.2%} on {model.accuracy_on})" if model.trained and model.accuracy is not None else ""
        lines.append(f"<p>Model: {model.title} [{model.name}]<br>Device: {model.device}<br>Weights: {weights}{accuracy}</p>")
    return "".join(lines)


def about_box(window: QWidget, model: ModelInfo | None) -> QMessageBox:
    """The About box for ``model`` (not yet shown)."""
    box = QMessageBox(QMessageBox.Icon.Information, "About cnn-viz", about_text(model), QMessageBox.StandardButton.Close, window)
    box.setTextFormat(Qt.TextFormat.RichText)
    return box
