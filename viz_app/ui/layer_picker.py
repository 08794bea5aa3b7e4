"""Choosing which layers the feature-map panel shows: a filterable list of checkboxes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SETTLE_MS = 300  # ticking several boxes in a row sends one choice


class LayerPicker(QWidget):
    """Every layer a model can show, checked when shown; the model's default set one click away."""

    layers_chosen = Signal(list)  # module paths, in the model's forward order

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._defaults: list[str] = []
        self.filter = QLineEdit(placeholderText="Filter layers…", clearButtonEnabled=True)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.defaults_button = QPushButton("Defaults")
        self.defaults_button.setToolTip("The outputs of each stage or block")
        self.none_button = QPushButton("None")
        buttons = QHBoxLayout()
        buttons.addWidget(self.defaults_button)
        buttons.addWidget(self.none_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS, timeout=self._on_settled)
        self.filter.textChanged.connect(self._on_filter_changed)
        self.list.itemChanged.connect(self._on_item_changed)
        self.defaults_button.clicked.connect(self._on_defaults_clicked)
        self.none_button.clicked.connect(self._on_none_clicked)

    def set_layers(self, choices: Sequence[tuple[str, str]], chosen: Iterable[str] | None = None, defaults: Iterable[str] | None = None) -> None:
        """Offer ``choices`` ((path, title), forward order); ``chosen`` (default: all) are checked,
        ``defaults`` (default: the chosen) are what the Defaults button checks."""
        chosen_set = set(chosen) if chosen is not None else {path for path, _ in choices}
        default_set = set(defaults) if defaults is not None else chosen_set
        self._defaults = [path for path, _ in choices if path in default_set]
        self.list.blockSignals(True)
        self.list.clear()
        for path, title in choices:
            text = title if title == path else f"{title}  ({path})"
            item = QListWidgetItem("  " * path.count(".") + text)
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if path in chosen_set else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._settle.stop()
        self._on_filter_changed(self.filter.text())

    def chosen(self) -> list[str]:
        """The checked layers, in forward order."""
        return [self._path(i) for i in range(self.list.count()) if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def set_chosen(self, paths: Iterable[str]) -> None:
        """Check exactly ``paths``; emits ``layers_chosen`` once things settle."""
        wanted = set(paths)
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            state = Qt.CheckState.Checked if self._path(i) in wanted else Qt.CheckState.Unchecked
            self.list.item(i).setCheckState(state)
        self.list.blockSignals(False)
        self._settle.start()

    def _path(self, row: int) -> str:
        return self.list.item(row).data(Qt.ItemDataRole.UserRole)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self._settle.start()

    def _on_settled(self) -> None:
        self.layers_chosen.emit(self.chosen())

    def _on_defaults_clicked(self) -> None:
        self.set_chosen(self._defaults)

    def _on_none_clicked(self) -> None:
        self.set_chosen([])

    def _on_filter_changed(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(needle) and needle not in item.text().lower())
