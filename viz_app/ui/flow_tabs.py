"""Tabs whose names wrap onto as many rows as the width needs: every tab is one click away at any
window size (a QTabBar hides what does not fit behind scroll arrows, and shifts under the mouse)."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QButtonGroup, QLayout, QLayoutItem, QSizePolicy, QStackedWidget, QToolButton, QVBoxLayout, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping onto a new row when the width is used up (Qt's flow layout example)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 3) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def rows_height(self, width: int) -> int:
        """The height the items take when laid out in ``width``.

        Not Qt's height-for-width: a box layout would take the height at the *minimum* width (one
        tab a row) as the minimum, and the window could not be shorter than every tab stacked.
        The strip sets its own height from its width instead."""
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt's name
        """As wide as the widest item (everything may wrap), as high as one row."""
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in ``rect`` (or only measure); the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, row_height = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, row_height = area.x(), y + row_height + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(min(hint.width(), area.width()), hint.height())))
            x += hint.width() + self._gap
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y() + margins.bottom()


class _Strip(QWidget):
    """The tab names' rows (the widget a QTabWidget calls its tab bar): as high as its width needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.flow = FlowLayout(self)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setObjectName("tabStrip")

    def fit_rows(self) -> None:
        """Take the height the rows need at the present width."""
        height = self.flow.rows_height(self.width())
        if height != self.height() or height != self.minimumHeight():
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit_rows()


class _Pages(QStackedWidget):
    """The tabs' pages: as small as the page in view allows. (A QStackedWidget asks for the largest
    page's minimum, so a wide tab never opened, or one whose size hint was taken at presentation's
    large type, would hold the whole column wide.)"""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        page = self.currentWidget()
        return page.minimumSizeHint().expandedTo(page.minimumSize()) if page is not None else super().minimumSizeHint()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()


class FlowTabs(QWidget):
    """A tab widget whose tab names wrap onto rows; its API is the part of QTabWidget's the app uses."""

    currentChanged = Signal(int)  # noqa: N815 - QTabWidget's name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strip = _Strip()
        self._stack = _Pages()
        self._buttons = QButtonGroup(self)
        self._buttons.setExclusive(True)
        self._buttons.idClicked.connect(self.setCurrentIndex)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self._strip)
        layout.addWidget(self._stack, 1)
        self._stack.currentChanged.connect(self._follow_stack)

    def addTab(self, widget: QWidget, title: str) -> int:  # noqa: N802 - QTabWidget's name
        """Add ``widget`` under a tab named ``title``; its index."""
        index = self._stack.addWidget(widget)
        button = QToolButton(text=title, checkable=True, objectName="tab")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._buttons.addButton(button, index)
        self._strip.flow.addWidget(button)
        self._strip.fit_rows()
        if index == self._stack.currentIndex():
            button.setChecked(True)
        return index

    def tabBar(self) -> QWidget:  # noqa: N802 - QTabWidget's name
        """The rows of tab names (hidden in presentation)."""
        return self._strip

    def tab_button(self, index: int) -> QToolButton:
        """The button that names tab ``index`` (what a click lands on)."""
        return self._buttons.button(index)

    def count(self) -> int:
        return self._stack.count()

    def indexOf(self, widget: QWidget | None) -> int:  # noqa: N802 - QTabWidget's name
        return self._stack.indexOf(widget) if widget is not None else -1

    def widget(self, index: int) -> QWidget | None:
        return self._stack.widget(index)

    def tabText(self, index: int) -> str:  # noqa: N802 - QTabWidget's name
        button = self._buttons.button(index)
        return button.text() if button is not None else ""

    def setTabText(self, index: int, title: str) -> None:  # noqa: N802 - QTabWidget's name
        self._buttons.button(index).setText(title)

    def currentIndex(self) -> int:  # noqa: N802 - QTabWidget's name
        return self._stack.currentIndex()

    def currentWidget(self) -> QWidget | None:  # noqa: N802 - QTabWidget's name
        return self._stack.currentWidget()

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802 - QTabWidget's name
        self._stack.setCurrentIndex(index)

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802 - QTabWidget's name
        self._stack.setCurrentWidget(widget)

    def _follow_stack(self, index: int) -> None:
        button = self._buttons.button(index)
        if button is not None:
            button.setChecked(True)
        self._stack.updateGeometry()  # its minimum is the new page's
        self.currentChanged.emit(index)
