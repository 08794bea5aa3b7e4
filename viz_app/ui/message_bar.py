"""A dismissable bar for messages the user must see (bad weights, no camera, ...)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class MessageBar(QFrame):
    """The last three messages above the panels, until the user dismisses them."""
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setStyleSheet("#messageBar { background: #fff3cd; border: 1px solid #e0c56e; border-radius: 3px; } QLabel { color: #5c4400; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        close = QToolButton(text="✕", autoRaise=True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.messages: list[str] = []
        self.hide()

    def show_message(self, text: str) -> None:
        """Add ``text`` to the bar and show it."""
        self.messages.append(text)
        shown = self.messages[-3:]
        self.label.setText("\n".join(shown))
        self.show()

    def text(self) -> str:
        """The messages the bar shows now."""
        return self.label.text()

    def dismiss(self) -> None:
        """Forget the messages and hide the bar."""
        self.messages.clear()
        self.hide()
