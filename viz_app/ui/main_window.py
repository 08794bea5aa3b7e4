"""The main window: lays the panels out and hands each FrameResult to them."""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from viz_app.records.frames import Frame, FrameResult, ModelInfo, NormMode
from viz_app.ui.drawing_pad import DrawingPad
from viz_app.ui.layer_picker import LayerPicker
from viz_app.ui.message_bar import MessageBar
from viz_app.ui.panels.augmentations import AugmentationsPanel
from viz_app.ui.panels.colour_scale import ColourScale
from viz_app.ui.panels.feature_maps import FeatureMapsPanel
from viz_app.ui.panels.filters import FiltersPanel
from viz_app.ui.panels.network_input import NetworkInputView
from viz_app.ui.panels.probabilities import ProbabilitiesPanel
from viz_app.ui.panels.saliency import SaliencyPanel
from viz_app.ui.panels.se_weights import SEWeightsPanel
from viz_app.ui.panels.summary import SummaryPanel
from viz_app.ui.panels.unit_zoom import UnitZoomPanel
from viz_app.ui.panels.zoo_chart import ZooChartPanel


class MainWindow(QMainWindow):
    """Input on the left, every layer in the middle, the verdict on the right."""

    frame_ready = Signal(object)  # Frame, for the inference worker
    model_requested = Signal(str, object)  # model name, weights path or None
    norm_requested = Signal(object)  # NormMode
    result_shown = Signal(object, float)  # FrameResult, perf_counter() once the panels hold it
    model_shown = Signal(object)  # ModelInfo, once the window shows the new model
    layers_requested = Signal(list)  # module paths to show
    extra_requested = Signal(str, object)  # per-frame extra key, params dict or None (off)
    closing = Signal()

    # Panels fed by per-frame extras, with their tab titles (each class names its extra_key).
    INSIGHT_PANELS = (
        (SEWeightsPanel, "SE gates"), (AugmentationsPanel, "Augment"), (UnitZoomPanel, "Unit"),
        (FiltersPanel, "Filters"), (SaliencyPanel, "Looks at"),
    )  # fmt: skip

    def __init__(self, models: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        """``models``: (name, title, group) of every model the picker offers."""
        super().__init__(parent)
        self.setWindowTitle("cnn-viz")
        self.resize(1400, 860)
        self.model: ModelInfo | None = None
        self.gui_ms = 0.0  # time the last frame took to reach all panels
        self._latencies: deque[float] = deque(maxlen=120)
        self._shown_at: deque[float] = deque(maxlen=240)

        self.pad = DrawingPad()
        self.network_input = NetworkInputView()
        self.maps = FeatureMapsPanel()
        self.probabilities = ProbabilitiesPanel()
        self.colour_scale = ColourScale()
        self.messages = MessageBar()
        self.layer_picker = LayerPicker()
        self.cost = SummaryPanel()
        self.zoo_chart = ZooChartPanel()
        self.side = QTabWidget()
        self.side.setDocumentMode(True)
        self.side.addTab(self.layer_picker, "Layers")
        self.side.addTab(self.cost, "Cost")
        self.side.addTab(self.zoo_chart, "Model zoo")
        self.unit_zoom = UnitZoomPanel()
        # Panels fed by per-frame extras; only the visible one's extra runs.
        self.insight_panels = [self.unit_zoom if cls is UnitZoomPanel else cls() for cls, _ in self.INSIGHT_PANELS]
        for panel, (_, title) in zip(self.insight_panels, self.INSIGHT_PANELS):
            self.side.addTab(panel, title)
            if hasattr(panel, "extra_requested"):
                panel.extra_requested.connect(self._on_panel_extra)
        self.side.setUsesScrollButtons(True)
        self.side.currentChanged.connect(self._on_side_tab_changed)
        self.maps.unit_clicked.connect(self._on_unit_clicked)
        self.layer_picker.layers_chosen.connect(self.layers_requested)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.probabilities)
        right.addWidget(self.side)
        right.setSizes([420, 380])

        self.inputs = QTabWidget()
        self.inputs.setDocumentMode(True)
        self.inputs.addTab(self.pad, "Draw")
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.inputs)
        left.addWidget(self.network_input)
        left.setSizes([520, 220])
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.maps, 1)
        centre_layout.addWidget(self.colour_scale)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(centre)
        splitter.addWidget(right)
        splitter.setSizes([380, 720, 360])
        root = QWidget()
        layout = QVBoxLayout(root)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.messages)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(root)

        self._build_toolbar(models)
        self._build_menus()
        self._build_status_bar()
        self.pad.frame_ready.connect(self.frame_ready)
        self._status_timer = QTimer(self, interval=250, timeout=self._refresh_rates)
        self._status_timer.start()

    # --- construction ---------------------------------------------------------------------------
    def _build_toolbar(self, models: list[tuple[str, str, str]]) -> None:
        bar = QToolBar("Controls", self)
        bar.setObjectName("controls")
        bar.setMovable(False)
        self.addToolBar(bar)
        bar.addWidget(QLabel(" Model "))
        self.model_picker = QComboBox()
        group = None
        for name, title, model_group in models:
            if model_group != group:
                if group is not None:
                    self.model_picker.insertSeparator(self.model_picker.count())
                group = model_group
            self.model_picker.addItem(f"{title}  [{name}]", name)
        self.model_picker.activated.connect(self._on_model_picked)
        bar.addWidget(self.model_picker)
        bar.addSeparator()
        bar.addWidget(QLabel(" Colours "))
        self.norm_picker = QComboBox()
        for mode in NormMode:
            self.norm_picker.addItem(mode.label, mode.value)
        self.norm_picker.setCurrentIndex(list(NormMode).index(NormMode.PER_LAYER))
        self.norm_picker.currentIndexChanged.connect(self._on_norm_picked)
        bar.addWidget(self.norm_picker)
        bar.addSeparator()
        bar.addWidget(QLabel(" Pen "))
        self.pen_width = QSpinBox(minimum=4, maximum=60, value=int(self.pad.canvas.pen_width), suffix=" px")
        self.pen_width.setToolTip("Pen width on the 280x280 pad")
        self.pen_width.valueChanged.connect(self.pad.set_pen_width)
        bar.addWidget(self.pen_width)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Clear the pad (Esc, or right click on the pad)")
        self.clear_button.clicked.connect(self.pad.clear)
        bar.addWidget(self.clear_button)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        open_weights = QAction("Open &weights…", self, shortcut=QKeySequence.StandardKey.Open)
        open_weights.triggered.connect(self._on_open_weights)
        file_menu.addAction(open_weights)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        clear = QAction("Clear pad", self, shortcut=QKeySequence(Qt.Key.Key_Escape))
        clear.triggered.connect(self.pad.clear)
        self.addAction(clear)

    def _build_status_bar(self) -> None:
        self.device_label = QLabel("starting…")
        self.weights_label = QLabel("")
        self.rate_label = QLabel("")
        self.download = QProgressBar(maximumWidth=260, textVisible=True)
        self.download.hide()
        bar = self.statusBar()
        bar.addWidget(self.device_label)
        bar.addWidget(self.weights_label, 1)
        bar.addPermanentWidget(self.download)
        bar.addPermanentWidget(self.rate_label)

    # --- from the worker --------------------------------------------------------------------------
    def show_model(self, info: ModelInfo) -> None:
        self.model = info
        self.download.hide()
        index = self.model_picker.findData(info.name)
        if index >= 0:
            self.model_picker.setCurrentIndex(index)
        self.maps.clear_layers()
        self.unit_zoom.clear_selection()
        self.cost.clear_summary()
        self.layer_picker.set_layers([])
        self.probabilities.set_classes(info.classes)
        self.device_label.setText(f"Device: {info.device}")
        if info.trained:
            accuracy = f", {info.accuracy:.2%} on {info.accuracy_on}" if info.accuracy is not None else ""
            self.weights_label.setText(f"{info.title}: trained weights {Path(info.weights).name}{accuracy}")
        else:
            self.weights_label.setText(f"{info.title}: UNTRAINED WEIGHTS")
        self.setWindowTitle(f"cnn-viz – {info.title}")
        self._on_side_tab_changed(self.side.currentIndex())
        self.model_shown.emit(info)

    def show_result(self, result: FrameResult) -> None:
        if self.model is not None and result.model != self.model.name:
            return  # a frame of the model that was just replaced
        t0 = time.perf_counter()
        self.network_input.show_input(result.network_input)
        self.maps.show_layers(result.layers)
        self.probabilities.show_probabilities(result.probabilities, result.empty)
        for panel in self.insight_panels:
            record = result.extras.get(panel.extra_key)
            if record is not None:
                panel.show_record(record)
        t_shown = time.perf_counter()
        self.gui_ms = (t_shown - t0) * 1e3
        self._latencies.append((t_shown - result.t_event) * 1e3)
        self._shown_at.append(t_shown)
        self.result_shown.emit(result, t_shown)

    def show_costs(self, summary, choices: list, defaults: list) -> None:  # noqa: ANN001 - ModelSummary
        """The model's cost table and the layers one may show (computed off the frame loop)."""
        if self.model is not None and summary.name == self.model.name:
            self.cost.show_summary(summary)
            self.layer_picker.set_layers(choices, defaults)

    def show_download(self, name: str, done: int, total: int) -> None:
        """Progress of a model's pretrained weights coming down (the window stays live)."""
        if total and done >= total:
            self.download.hide()
            return
        self.download.show()
        if total:
            self.download.setRange(0, 1000)
            self.download.setValue(int(1000 * done / total))
            self.download.setFormat(f"{name}: {done / 2**20:.0f} of {total / 2**20:.0f} MB")
        else:
            self.download.setRange(0, 0)  # busy indicator: size unknown
            self.download.setFormat(f"{name}: {done / 2**20:.0f} MB")

    def show_message(self, text: str) -> None:
        self.messages.show_message(text)
        self.statusBar().showMessage(text, 8000)

    # --- handlers ----------------------------------------------------------------------------------
    def _on_side_tab_changed(self, index: int) -> None:
        """Run the extra of the panel in view, and no other (they cost frame time)."""
        shown = self.side.widget(index)
        for panel in self.insight_panels:
            self.extra_requested.emit(panel.extra_key, panel.params() if panel is shown else None)

    def _on_panel_extra(self, key: str, params: object) -> None:
        """A panel's settings changed: pass them on only while it is in view."""
        panel = next(p for p in self.insight_panels if p.extra_key == key)
        if self.side.currentWidget() is panel:
            self.extra_requested.emit(key, params)

    def _on_unit_clicked(self, layer: str, index: int) -> None:
        self.side.setCurrentWidget(self.unit_zoom)
        self.unit_zoom.select(layer, index)  # asks for the unit extra, now that it is in view

    def _on_model_picked(self, index: int) -> None:
        name = self.model_picker.itemData(index)
        if name and (self.model is None or name != self.model.name):
            self.model_requested.emit(name, None)

    def _on_norm_picked(self, index: int) -> None:
        mode = NormMode(self.norm_picker.itemData(index))
        self.colour_scale.set_mode(mode)
        self.norm_requested.emit(mode)

    def _on_open_weights(self) -> None:
        if self.model is None:
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open weights", "", "PyTorch weights (*.pt *.pth);;All files (*)")
        if path:
            self.model_requested.emit(self.model.name, path)

    def _refresh_rates(self) -> None:
        now = time.perf_counter()
        recent = [t for t in self._shown_at if now - t <= 1.0]
        if not self._latencies:
            return
        latency = float(np.median(self._latencies))
        self.rate_label.setText(f"{len(recent)} fps · latency {latency:.1f} ms (median)")

    def closeEvent(self, event: QCloseEvent) -> None:
        self._status_timer.stop()
        self.closing.emit()
        super().closeEvent(event)

    def add_input_tab(self, widget: QWidget, title: str) -> int:
        """Add a source's widget (camera view, file browser...) beside the drawing pad."""
        return self.inputs.addTab(widget, title)

    def submit_frame(self, frame: Frame) -> None:
        """Offer a frame from any source other than the pad."""
        self.frame_ready.emit(frame)
