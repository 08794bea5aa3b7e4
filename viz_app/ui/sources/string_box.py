"""String mode on a source tab: a "String" check box, and a wide region of interest while it is on."""

from __future__ import annotations

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from viz_app.sources.stamped import wide_roi
from viz_app.ui.sources.frame_view import FrameView, default_roi


def string_box(toggled: SignalInstance) -> QCheckBox:
    """The "String" check box of a source tab, emitting ``toggled`` when the user flips it."""
    box = QCheckBox("String")
    box.setToolTip("Read a string of digits (a postcode, an amount) in a wide region of interest, with SDNN")
    box.toggled.connect(toggled)
    return box


def set_string_mode(box: QCheckBox, view: FrameView, on: bool) -> None:
    """Tick ``box`` without its signal, and make the view's region of interest wide (on) or its
    default (off), where a frame is shown."""
    box.blockSignals(True)
    box.setChecked(on)
    box.blockSignals(False)
    width, height = view.image.width(), view.image.height()
    if width and height:
        view.set_roi(wide_roi(width, height) if on else default_roi(width, height, view.roi_share))


def footer_with_box(box: QCheckBox, label: QLabel) -> QWidget:
    """The tab's line below its view: the string box, then its status line (the row of controls
    above the view is full on a small screen)."""
    footer = QWidget()
    row = QHBoxLayout(footer)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(box)
    row.addWidget(label, 1)
    return footer
