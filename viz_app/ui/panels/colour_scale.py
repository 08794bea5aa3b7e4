"""The colour scale of the feature maps and what the chosen normalisation means."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from viz_app.records.frames import NormMode
from viz_app.ui.colours import gradient_pixmap
from viz_app.ui.fit import shrinkable_label

_EXPLAIN = {
    NormMode.PER_CHANNEL: "each map stretched to its own range",
    NormMode.PER_LAYER: "one range per layer, shown beside its name",
    NormMode.FIXED: "fixed range per layer, measured on MNIST (no flicker)",
}


class ColourScale(QWidget):
    """Both colour maps (sequential, diverging) with what the chosen normalisation means."""
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for signed, low, high in ((False, "0", "high"), (True, "negative", "positive")):
            layout.addWidget(QLabel(low))
            bar = QLabel()
            bar.setPixmap(gradient_pixmap(signed))
            bar.setScaledContents(True)  # the ramp narrows on a small screen
            bar.setMinimumWidth(40)
            bar.setMaximumWidth(160)
            bar.setToolTip("diverging, 0 in the middle (layers that can go negative)" if signed else "sequential (non-negative layers, after ReLU)")
            layout.addWidget(bar)
            layout.addWidget(QLabel(high))
            layout.addSpacing(16)
        self.mode = shrinkable_label(QLabel())
        layout.addWidget(self.mode, 1)
        self.set_mode(NormMode.PER_LAYER)

    def set_mode(self, mode: NormMode) -> None:
        """Explain normalisation ``mode`` beside the colour maps."""
        self.mode.setText(f"{mode.label}: {_EXPLAIN[mode]}")
        self.mode.setToolTip(self.mode.text())
