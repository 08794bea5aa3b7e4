"""The lecture-hall view: full screen with the controls out of the way, large type, the 1995 layout.

``Presentation`` owns the View menu's actions for it (F11, Ctrl +/-/0, the 1995 layout, the
screen to present on) and restores the normal view exactly as it was when it ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, cast

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QGuiApplication, QKeySequence, QScreen
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLayout, QMainWindow, QMenu, QSplitter, QWidget

from viz_app.ui.lecture_type import answer_width, type_sizes
from viz_app.ui.panels.base import FollowsTextSize
from viz_app.ui.stage import Stage

_CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QAbstractSlider)  # what a source tab's controls are made of
RESTORE_SETTLE_MS = 1000  # after leaving presentation, the old splitter sizes are put back until no resize came this long
TEXT_STEP = 1.15  # Ctrl+plus / Ctrl+minus scale the text by this factor


@dataclass
class _NormalView:
    """What presentation changes, as it was before (restored when it ends)."""

    state: Qt.WindowState
    geometry: QRect
    sizes: dict[int, list[int]]  # splitter id -> sizes
    hidden: list[QWidget]
    inputs_minimum: int  # the source tabs' minimum width (their controls' room, not needed while hidden)
    side_tab: int  # the side tab in view (paging through presented panels changes it)


class Presentable(Protocol):
    """The window as the presentation view sees it: a QMainWindow (``window()``) with these parts.
    (The main window is one; this module does not import it, so the two cannot import each other.)"""

    controls: QWidget  # the tool bar
    side: Any  # SideTabs: a QWidget whose ``panels`` are the insight panels
    colour_scale: QWidget
    messages: QWidget
    inputs: Any  # FlowTabs: the source tabs (their names hidden while presenting)
    columns: QSplitter  # input | maps | answer
    left: QWidget  # the input column
    centre: QWidget  # the maps column
    right: QSplitter  # the answer over the side tabs
    maps: Any  # FeatureMapsPanel: set_pixel_exact, set_title_px, prompt
    network_input: Any  # NetworkInputView: set_title_px
    probabilities: Any  # ProbabilitiesPanel: set_text_px

    def window(self) -> QWidget: ...

    def set_layout_1995(self, on: bool) -> None: ...


class Presentation(QObject):
    """Switches a window between its normal view and the presentation view."""

    toggled = Signal(bool)  # True: the presentation view is on

    def __init__(self, parts: Presentable, menu: QMenu) -> None:
        window = cast(QMainWindow, parts.window())
        super().__init__(window)
        self._parts = parts
        self._window = window
        self._normal: _NormalView | None = None
        self._restoring: _NormalView | None = None  # splitter sizes to put back once the window has its size again
        self._settle = QTimer(self, singleShot=True, interval=RESTORE_SETTLE_MS)
        self._settle.timeout.connect(self._on_restore_settled)
        window.installEventFilter(self)
        self.text_scale = 1.0
        self._base_font = QFont(window.font())
        self.action = _action(window, "&Presentation", QKeySequence(Qt.Key.Key_F11), checkable=True)
        self.action.toggled.connect(self.set_on)
        self.layout_1995 = _action(window, "&1995 layout (LeCun's demo)", QKeySequence(), checkable=True)
        self.layout_1995.toggled.connect(self._on_layout_1995_toggled)
        bigger = _action(window, "&Larger text", QKeySequence.StandardKey.ZoomIn)
        bigger.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
        bigger.triggered.connect(lambda: self.set_text_scale(self.text_scale * TEXT_STEP))
        smaller = _action(window, "&Smaller text", QKeySequence("Ctrl+-"))
        smaller.triggered.connect(lambda: self.set_text_scale(self.text_scale / TEXT_STEP))
        reset = _action(window, "&Normal text size", QKeySequence("Ctrl+0"))
        reset.triggered.connect(lambda: self.set_text_scale(1.0))
        self.panel_action = _action(window, "Present this &panel", QKeySequence("Shift+F11"))
        self.panel_action.setToolTip("The side tab in view, full screen beside the answer (PageDown/PageUp: the next one)")
        self.panel_action.triggered.connect(lambda: self.present(self._parts.side.currentIndex()))
        self.stage = Stage(parts, window, self.layout_1995)  # what the presented view shows: maps, input or a panel
        self._paging = [_action(window, text, QKeySequence(key)) for text, key in
                        (("Next panel", Qt.Key.Key_PageDown), ("Previous panel", Qt.Key.Key_PageUp), ("The maps", Qt.Key.Key_Home))]  # fmt: skip
        for step, item in zip((1, -1, 0), self._paging, strict=True):
            item.triggered.connect(lambda _checked=False, step=step: self.step(step))
            item.setEnabled(False)  # only while presenting: in the normal view these keys belong to lists and fields
            window.addAction(item)
        self.screens_menu = QMenu("Present on &screen", window)
        self.screens_menu.aboutToShow.connect(self._on_screens_menu_shown)
        for item in (self.action, self.panel_action, self.layout_1995):
            menu.addAction(item)
        menu.addMenu(self.screens_menu)
        menu.addSeparator()
        for item in (bigger, smaller, reset):
            menu.addAction(item)
            window.addAction(item)  # shortcuts work while the menu bar is hidden
        window.addAction(self.action)
        window.addAction(self.panel_action)

    @property
    def on(self) -> bool:
        """True while the presentation view is shown."""
        return self._normal is not None

    def set_on(self, on: bool) -> None:
        """Enter (full screen, controls hidden, large type) or leave the presentation view; entered from
        a side tab that has the keyboard (F11 there), that panel is presented."""
        focus = self._window.focusWidget()
        if on and not self.on and focus is not None and self._parts.side.isAncestorOf(focus):
            self.present(self._parts.side.currentIndex())
        else:
            self._switch(on)

    def _switch(self, on: bool) -> None:
        if on == self.on:
            return
        w, parts = self._window, self._parts
        if on:
            # The colour scale stays: it says how to read the maps.
            recede = [parts.controls, parts.side, w.statusBar(), w.menuBar(), parts.messages, parts.inputs.tabBar()]
            recede += [c for c in parts.inputs.findChildren(QWidget) if isinstance(c, _CONTROLS)]  # the sources' buttons
            shown = [x for x in recede if not x.isHidden()]
            self._normal = _NormalView(w.windowState(), w.geometry(), _splitter_sizes(w), shown, parts.inputs.minimumWidth(), parts.side.currentIndex())
            for widget in self._normal.hidden:
                widget.hide()
            parts.inputs.setMinimumWidth(1)  # hidden controls need no room (0 would mean: as the controls ask)
            w.showFullScreen()
            self.stage.fit_columns()
            parts.maps.set_pixel_exact(True)
            self.apply_text_sizes()
        else:
            self.stage.leave()
            normal, self._normal = self._normal, None
            assert normal is not None
            for widget in normal.hidden:
                widget.show()
            parts.inputs.setMinimumWidth(normal.inputs_minimum)
            parts.side.setCurrentIndex(normal.side_tab)
            # The normal type first: the splitters' old sizes fit the normal minimum sizes, not the large ones.
            parts.maps.set_pixel_exact(False)
            self.apply_text_sizes()
            w.setWindowState(normal.state)
            if not normal.state & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
                w.setGeometry(normal.geometry)
            self._restoring = normal
            self._restore_splitters()
            QTimer.singleShot(0, self._restore_splitters)  # after the shown controls are laid out again
            self._settle.start()  # the window manager's resizes come in late, the later the busier the machine
        for item in self._paging:
            item.setEnabled(on)
        self.action.setChecked(on)
        self.toggled.emit(on)

    @property
    def panel(self) -> int | None:
        """What is presented instead of the maps: a side tab's index, INPUT_COLUMN, or None (the maps)."""
        return self.stage.subject

    def present(self, subject: int | None) -> None:
        """Present side tab ``subject`` (or INPUT_COLUMN) full screen beside the answer, or the maps (None);
        enters presentation."""
        self._switch(True)
        self.stage.show(subject)

    def step(self, step: int) -> None:
        """PageDown (+1) / PageUp (-1): the next or previous subject (the maps, the input, each side tab); Home (0): the maps."""
        if self.on:
            self.present(self.stage.after(step))


    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Once the window is back at its normal size, put the splitters back where they were."""
        if event.type() == QEvent.Type.Resize and self._restoring is not None:
            self._settle.start()  # settled only once no resize came for a while
            self._restore_splitters()
        return False

    def _restore_splitters(self) -> None:
        normal = self._restoring
        if normal is None:
            return
        for splitter in self._window.findChildren(QSplitter):
            if id(splitter) in normal.sizes:
                splitter.setSizes(normal.sizes[id(splitter)])

    def _on_restore_settled(self) -> None:
        normal = self._restoring
        self._restore_splitters()
        self._restoring = None
        w = self._window
        free = w.screen().availableGeometry()
        if normal is not None and not w.isFullScreen() and (w.width() > free.width() or w.height() > free.height()):
            w.setGeometry(normal.geometry.intersected(free))  # a wide presented answer (a string) had widened it past the screen

    @property
    def settling(self) -> bool:
        """True while the normal view is still being put back after presentation (resizes may come)."""
        return self._restoring is not None

    def set_text_scale(self, scale: float) -> None:
        """Scale every text of the window by ``scale`` (1: as designed)."""
        self.text_scale = min(4.0, max(0.5, scale))
        self.apply_text_sizes()

    def apply_text_sizes(self) -> None:
        """Size the window's text for the view and the text scale (labels >= 1/40 screen in presentation)."""
        w, parts = self._window, self._parts
        sizes = type_sizes(self._base_font, self.text_scale, w.screen().geometry().height(), self.on)
        label_px, title_px, answer_px = sizes.label, sizes.title, sizes.answer
        font = QFont(self._base_font)
        font.setPixelSize(label_px)
        if w.font() == font:
            w.setFont(QFont())  # the same font again is not passed on: widgets added since would keep their own
        w.setFont(font)
        for layout in w.findChildren(QLayout):  # a hidden tab's layout keeps the sizes of the old type otherwise
            layout.invalidate()
        parts.maps.set_title_px(title_px)
        parts.maps.prompt.setStyleSheet(f"color: #bbbbbb; font-size: {max(2 * title_px, label_px)}px;")
        parts.network_input.set_title_px(title_px)
        parts.probabilities.set_text_px(label_px, answer_px)
        parts.probabilities.set_answer_floor(answer_width(answer_px) if self.on else 0)  # a digit never shrinks to fit
        tabs = [parts.side.widget(i) for i in range(parts.side.count())] + [parts.inputs.widget(i) for i in range(parts.inputs.count())]
        for widget in tabs:
            if isinstance(widget, FollowsTextSize):
                widget.set_text_px(label_px)

    def present_on(self, screen: QScreen) -> None:
        """Move the window to ``screen`` and present there."""
        if self.on:
            self.set_on(False)
        self._window.setScreen(screen)
        self._window.move(screen.geometry().topLeft())
        self.set_on(True)

    def _on_layout_1995_toggled(self, on: bool) -> None:
        self._parts.set_layout_1995(on)
        if self.on:
            self.stage.fit_columns()

    def _on_screens_menu_shown(self) -> None:
        self.screens_menu.clear()
        for number, screen in enumerate(QGuiApplication.screens(), start=1):
            size = screen.geometry()
            item = self.screens_menu.addAction(f"Screen {number}: {screen.name()} ({size.width()}x{size.height()})")
            item.triggered.connect(lambda _checked=False, chosen=screen: self.present_on(chosen))


def _action(window: QWidget, text: str, shortcut: QKeySequence | QKeySequence.StandardKey, checkable: bool = False) -> QAction:
    """A window-wide action (its shortcut works while the menu bar is hidden in presentation)."""
    action = QAction(text, window, shortcut=QKeySequence(shortcut), checkable=checkable)
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    return action


def _splitter_sizes(window: QWidget) -> dict[int, list[int]]:
    """Every splitter's sizes, by splitter."""
    return {id(s): s.sizes() for s in window.findChildren(QSplitter)}
