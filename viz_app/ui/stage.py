"""What the presented view gives the screen to: the maps, the input column (the Demo's curve, the
camera) or one side panel, always beside the answer; and the columns' widths for each."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

PRESENTATION_COLUMNS = (0.2, 0.55, 0.25)  # shares of the width: input, maps, answer
PRESENTATION_COLUMNS_1995 = (0.14, 0.68, 0.18)  # the 1995 layout gives the network the screen: input, maps, answer
PANEL_ANSWER_SHARE = 0.25  # a presented panel (or the input) leaves this share of the width to the answer
INPUT_COLUMN = -1  # the subject that is the input column (a side tab's subject is its index)


class Stage:
    """Moves a window's columns for the presented subject. ``parts`` is the window (see
    ``presentation.Presentable``): columns, left, centre, right, side."""

    def __init__(self, parts: Any, window: QWidget, layout_1995: QAction) -> None:
        self._parts = parts
        self._window = window
        self._layout_1995 = layout_1995
        self.subject: int | None = None  # None: the maps; INPUT_COLUMN; or a side tab's index

    def subjects(self) -> list[int | None]:
        """In the order PageDown walks them: the maps, the input, then every side tab."""
        return [None, INPUT_COLUMN, *range(self._parts.side.count())]

    def after(self, step: int) -> int | None:
        """The subject ``step`` places on from the one shown (0: the maps)."""
        subjects = self.subjects()
        return None if step == 0 else subjects[(subjects.index(self.subject) + step) % len(subjects)]

    def show(self, subject: int | None) -> None:
        """Give the screen beside the answer to ``subject``."""
        parts = self._parts
        if subject is None or (subject == INPUT_COLUMN) != (self.subject == INPUT_COLUMN):
            self._back_to_maps()
        if subject == INPUT_COLUMN:
            parts.centre.hide()
            height = sum(parts.left.sizes())
            parts.left.setSizes([round(height * 0.78), round(height * 0.22)])  # the source (a scene and its curve) first
        elif subject is not None:
            side = parts.side
            side.setCurrentIndex(subject)
            if self.subject is None:  # the side tabs take the maps' place; input and maps recede
                parts.columns.insertWidget(parts.columns.indexOf(parts.centre), side)
                parts.left.hide()
                parts.centre.hide()
                side.tabBar().hide()
                side.show()
        self.subject = subject
        self.fit_columns()

    def _back_to_maps(self) -> None:
        """The side tabs back under the answer, input and maps back on screen."""
        parts = self._parts
        if self.subject is not None and self.subject != INPUT_COLUMN:
            parts.right.insertWidget(1, parts.side)
            parts.side.hide()
            parts.side.tabBar().show()
            parts.left.show()
        parts.centre.show()
        self.subject = None

    def leave(self) -> None:
        """Presentation ends: the window's columns as they belong."""
        if self.subject is not None:
            self._back_to_maps()

    def fit_columns(self) -> None:
        """The presented columns' widths: input, maps and answer by share, or a subject and the answer."""
        parts = self._parts
        total = max(sum(parts.columns.sizes()), self._window.screen().geometry().width())
        if self.subject is None:
            shares = PRESENTATION_COLUMNS_1995 if self._layout_1995.isChecked() else PRESENTATION_COLUMNS
            sizes = {parts.left: shares[0], parts.centre: shares[1], parts.right: shares[2]}
        else:
            shown = parts.left if self.subject == INPUT_COLUMN else parts.side
            sizes = {shown: 1 - PANEL_ANSWER_SHARE, parts.right: PANEL_ANSWER_SHARE}
        columns = parts.columns
        columns.setSizes([round(total * sizes.get(columns.widget(i), 0)) for i in range(columns.count())])
