"""Helpers that let the window fit small screens: widgets that give up width instead of forcing it."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QWidget


def shrinkable_label(label: QLabel) -> QLabel:
    """A one-line label that may be narrower than its text (the end is cut, the tool tip keeps it)."""
    label.setSizePolicy(QSizePolicy.Policy.Ignored, label.sizePolicy().verticalPolicy())
    label.setMinimumWidth(1)
    return label


def wrapping_label(label: QLabel) -> QLabel:
    """A label that wraps its words rather than widening the panel it sits in."""
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def shrinkable_combo(combo: QComboBox, characters: int = 14) -> QComboBox:
    """A combo box whose closed width is about ``characters`` wide; the list still shows full entries."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
    return combo


def widest_minimum(widget: QWidget) -> int:
    """The width ``widget`` insists on (its minimum size, or minimum size hint where none is set)."""
    return max(widget.minimumWidth(), widget.minimumSizeHint().width())
