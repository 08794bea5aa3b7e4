"""The window's toolbar: model, colour normalisation, pen width and the pad's Clear button."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QInputDialog, QLabel, QPushButton, QSpinBox, QToolBar, QWidget

from viz_app.records.frames import NormMode
from viz_app.ui.fit import shrinkable_combo


class ControlsBar(QToolBar):
    """The lecture's controls in one row; the window connects their signals."""

    def __init__(self, models: Sequence[tuple[str, str, str]], pen_width: int, parent: QWidget | None = None) -> None:
        """``models``: (name, title, group) of every model the picker offers; ``pen_width``: the pad's."""
        super().__init__("Controls", parent)
        self.setObjectName("controls")
        self.setMovable(False)
        self.model_picker = model_picker(models)
        self.norm_picker = QComboBox()
        for mode in NormMode:
            self.norm_picker.addItem(mode.label, mode.value)
        self.norm_picker.setCurrentIndex(list(NormMode).index(NormMode.PER_LAYER))
        self.pen_width = QSpinBox(minimum=4, maximum=60, value=pen_width, suffix=" px")
        self.pen_width.setToolTip("Pen width on the 280x280 pad")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Clear the pad (Esc, or right click on the pad)")
        self.addWidget(QLabel(" Model "))
        self.addWidget(self.model_picker)
        self.addSeparator()
        self.addWidget(QLabel(" Colours "))
        self.addWidget(self.norm_picker)
        self.addSeparator()
        self.addWidget(QLabel(" Pen "))
        self.addWidget(self.pen_width)
        self.addWidget(self.clear_button)


def model_picker(models: Sequence[tuple[str, str, str]]) -> QComboBox:
    """A combo box of models ("title  [name]", data: name), a separator between groups."""
    picker = QComboBox()
    group = None
    for name, title, model_group in models:
        if model_group != group:
            if group is not None:
                picker.insertSeparator(picker.count())
            group = model_group
        picker.addItem(f"{title}  [{name}]", name)
    return shrinkable_combo(picker, 38)  # "LeNet-5 (ReLU, max pooling)  [lenet5]" whole: 22 cut every name


MORE = "More models..."
MORE_PROMPT = "torchvision:NAME (see cnn-viz models --all), or the path of FILE.py[:build] or FILE.onnx:"


def add_more_entry(picker: QComboBox) -> None:
    """A last entry that asks for any other model: a torchvision name or a model file."""
    if picker.findText(MORE) >= 0:
        return
    picker.insertSeparator(picker.count())
    picker.addItem(MORE)  # no data: the window's own handler passes it by
    shown = {"index": 0}

    def remember(index: int) -> None:
        if picker.itemText(index) != MORE:
            shown["index"] = index

    def ask(index: int) -> None:
        if picker.itemText(index) != MORE:
            return
        text, ok = QInputDialog.getText(picker, "Open a model", MORE_PROMPT)
        text = text.strip()
        if not ok or not text:
            picker.setCurrentIndex(shown["index"])
            return
        chosen = add_recent_model(picker, text, text)
        picker.setCurrentIndex(chosen)
        picker.activated.emit(chosen)  # as if picked: the window asks for the model

    picker.currentIndexChanged.connect(remember)
    picker.activated.connect(ask)


RECENT_TAG = "opened"  # the picker's mark of a model file or torchvision model opened before


def add_recent_model(picker: QComboBox, name: str, title: str) -> int:
    """Offer a model opened by file or torchvision name in the picker (once, below a separator); its index."""
    index = picker.findData(name)
    if index >= 0:
        return index
    tagged = [i for i in range(picker.count()) if picker.itemText(i).endswith(f"[{RECENT_TAG}]")]
    more = picker.findText(MORE)
    at = tagged[-1] + 1 if tagged else (more - 1 if more > 0 else picker.count())  # above "More..."'s separator
    if not tagged:
        picker.insertSeparator(at)
        at += 1
    picker.insertItem(at, f"{title}  [{RECENT_TAG}]", name)
    picker.setItemData(at, name, Qt.ItemDataRole.ToolTipRole)
    return at
