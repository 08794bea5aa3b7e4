"""The main window: lays the panels out, writes what the user chooses into the view state, hands each FrameResult to the panels."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from viz_app.records.frames import FrameResult, ModelInfo
from viz_app.state.panels import UNIT_CLICK, with_capability
from viz_app.state.view import ViewModel
from viz_app.ui.controls_bar import ControlsBar
from viz_app.ui.drawing_pad import DrawingPad
from viz_app.ui.flow_tabs import FlowTabs
from viz_app.ui.layer_picker import LayerPicker
from viz_app.ui.message_bar import MessageBar
from viz_app.ui.panels.base import Panel, UnitSelector
from viz_app.ui.panels.colour_scale import ColourScale
from viz_app.ui.panels.feature_maps import FeatureMapsPanel
from viz_app.ui.panels.network_input import NetworkInputView
from viz_app.ui.panels.probabilities import ProbabilitiesPanel
from viz_app.ui.panels.summary import SummaryPanel
from viz_app.ui.panels.train_panel import TrainPanel
from viz_app.ui.panels.zoo_chart import ZooChartPanel
from viz_app.ui.presentation import Presentation
from viz_app.ui.side_tabs import SideTabs
from viz_app.ui.status_line import StatusLine
from viz_app.ui.trust import CodeTrust
from viz_app.ui.view_binding import bind_to_view

if TYPE_CHECKING:
    from viz_app.records.costs import ModelSummary


class MainWindow(QMainWindow):
    """Input on the left, every layer in the middle, the verdict and the insight tabs on the right.

    What the user chooses (a model, layers, colours, a side tab and its panel's parameters,
    freeze) goes into ``view``, the app's one state; the worker follows it. The window shows
    each model and result the worker sends, a result with the model it was made with.
    """

    frame_ready = Signal(object)  # Frame, for the inference worker
    model_requested = Signal(str, object)  # model name, weights path or None: written into the view
    result_shown = Signal(object, float)  # FrameResult, perf_counter() once the panels hold it
    model_shown = Signal(object)  # ModelInfo, once the window shows the new model
    layers_requested = Signal(list)  # module paths to show: written into the view
    closing = Signal()
    freeze_toggled = Signal(bool)  # True: the panels hold the current frame (Space)

    def __init__(self, models: Sequence[tuple[str, str, str]], view: ViewModel | None = None, parent: QWidget | None = None) -> None:
        """``models``: (name, title, group) of every model the picker offers; ``view``: the state it writes to."""
        super().__init__(parent)
        self.setWindowTitle("cnn-viz")
        self.view = view or ViewModel()
        self.trust = CodeTrust(self)  # asks before a Python model file runs (the settings remember the answers)
        self.model: ModelInfo | None = None
        self.gui_ms = 0.0  # time the last frame took to reach all panels
        self._frozen = False
        self._held: FrameResult | None = None  # the newest result while frozen
        self._placed = False  # fitted to its screen on the first show (unless sized before)
        self._build_panels()
        self._build_layout()
        self._build_toolbar(models)
        self._build_menus()
        self.presentation = Presentation(self, self.view_menu)
        self.presentation.apply_text_sizes()
        self.status_line = status = StatusLine(self.statusBar())
        self.device_label, self.weights_label, self.rate_label, self.download = status.device_label, status.weights_label, status.rate_label, status.download
        self._connect()

    # --- construction ---------------------------------------------------------------------------
    def _build_panels(self) -> None:
        """Every panel, once; the side tabs add the registry's insight panels."""
        self.pad = DrawingPad()
        self.network_input = NetworkInputView()
        self.maps = FeatureMapsPanel()
        self.probabilities = ProbabilitiesPanel()
        self.colour_scale = ColourScale()
        self.messages = MessageBar()
        self.layer_picker = LayerPicker()
        self.cost = SummaryPanel()
        self.zoo_chart = ZooChartPanel()
        self.train_panel = TrainPanel()
        self.side = SideTabs([(self.layer_picker, "Layers"), (self.cost, "Cost"), (self.zoo_chart, "Model zoo"), (self.train_panel, "Train")], self.view)
        self.inputs = FlowTabs()  # every source a click away, however many and however narrow the column
        self.inputs.addTab(self.pad, "Draw")
        self.inputs.setMinimumWidth(240)  # a source tab's controls must not widen the window
        self.frozen_label = QLabel("FROZEN – Space resumes", objectName="frozen", alignment=Qt.AlignmentFlag.AlignCenter, visible=False)

    def _build_layout(self) -> None:
        """Inputs | feature maps and colour scale | probabilities over the side tabs."""
        self.left = _splitter(Qt.Orientation.Vertical, [self.inputs, self.network_input], [520, 220])
        self.centre = QWidget()
        centre_layout = QVBoxLayout(self.centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.frozen_label)
        centre_layout.addWidget(self.maps, 1)
        centre_layout.addWidget(self.colour_scale)
        self.right = _splitter(Qt.Orientation.Vertical, [self.probabilities, self.side], [420, 380])
        root = QWidget()
        layout = QVBoxLayout(root)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.messages)
        self.columns = _splitter(Qt.Orientation.Horizontal, [self.left, self.centre, self.right], [380, 720, 360])
        layout.addWidget(self.columns, 1)
        self.setCentralWidget(root)

    def _build_toolbar(self, models: Sequence[tuple[str, str, str]]) -> None:
        bar = ControlsBar(models, int(self.pad.canvas.pen_width), self)
        self.addToolBar(bar)
        self.controls = bar
        self.model_picker, self.norm_picker = bar.model_picker, bar.norm_picker
        self.pen_width, self.clear_button = bar.pen_width, bar.clear_button

    def _build_menus(self) -> None:
        """File, View and Help menus; other parts of the app add their actions to them."""
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.view_menu = bar.addMenu("&View")
        self.help_menu = bar.addMenu("&Help")
        open_weights = QAction("Open &weights…", self, shortcut=QKeySequence.StandardKey.Open)
        open_weights.triggered.connect(self._on_open_weights)
        self.file_menu.addAction(open_weights)
        self.file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)
        escape = QAction("Clear pad / leave presentation", self, shortcut=QKeySequence(Qt.Key.Key_Escape))
        escape.triggered.connect(self._on_escape)
        self.addAction(escape)
        self.freeze_action = QAction("&Freeze panels", self, shortcut=QKeySequence(Qt.Key.Key_Space), checkable=True)
        self.freeze_action.toggled.connect(self.set_frozen)
        self.view_menu.addAction(self.freeze_action)
        self.addAction(self.freeze_action)

    def _connect(self) -> None:
        """Wire the widgets to each other, to the window's signals and to the view state."""
        bind_to_view(self)
        self.maps.unit_clicked.connect(self._on_unit_clicked)
        self.layer_picker.layers_chosen.connect(self.layers_requested)
        self.model_picker.activated.connect(self._on_model_picked)
        self.pen_width.valueChanged.connect(self.pad.set_pen_width)
        self.clear_button.clicked.connect(self.pad.clear)
        self.pad.frame_ready.connect(self.frame_ready)

    # --- the insight panels ---------------------------------------------------------------------
    def panel(self, key: str) -> Panel:
        """The insight panel registered under ``key`` (see ``viz_app.state.panels``)."""
        return self.side.panel(key)

    # --- from the worker --------------------------------------------------------------------------
    def show_model(self, info: ModelInfo) -> None:
        """A newly loaded model: reset what showed the old one (the model shown again is left as it is)."""
        if info == self.model:
            return
        self.model = info
        index = self.model_picker.findData(info.name)
        if index >= 0:
            self.model_picker.setCurrentIndex(index)
        self.maps.clear_layers()
        self.cost.clear_summary()
        self.layer_picker.set_layers([])
        self.probabilities.set_model(info)
        self.maps.set_classes(info.classes)
        self.status_line.show_model(info)
        self.setWindowTitle(f"cnn-viz – {info.title}")
        self.side.model_changed(info)
        self.model_shown.emit(info)

    def show_result(self, result: FrameResult) -> None:
        """Hand one frame to every panel, with the model it was made with; ``result_shown`` says when they hold it."""
        if result.info is not None and result.info != self.model:
            self.show_model(result.info)  # come before the worker's word on its model, or with a model since replaced
        if self._frozen:
            self._held = result  # computed, held back: Space again shows the newest
            return
        t0 = time.perf_counter()
        self.network_input.show_input(result.network_input)
        self.maps.show_layers(result.layers, result.empty)
        self.probabilities.show_result(result)  # a string read takes the predicted digit's place
        self.side.show_records(result.extras)
        t_shown = time.perf_counter()
        self.gui_ms = (t_shown - t0) * 1e3
        self.status_line.frame_shown(result.t_event, t_shown)
        self.result_shown.emit(result, t_shown)

    def show_costs(self, summary: ModelSummary, choices: list, defaults: list) -> None:
        """The model's cost table and the layers one may show (computed off the frame loop)."""
        if self.model is not None and summary.name == self.model.name:
            self.cost.show_summary(summary)
            chosen = self.view.state.layers.get(summary.name)  # remembered for this model: already shown
            self.layer_picker.set_layers(choices, defaults if chosen is None else chosen, defaults)

    def show_download(self, name: str, done: int, total: int) -> None:
        """Progress of a model's pretrained weights coming down (the window stays live)."""
        self.status_line.show_download(name, done, total)

    def show_message(self, text: str) -> None:
        """A message the user should read (an error they can fix, say), until dismissed."""
        self.messages.show_message(text)
        self.statusBar().showMessage(text, 8000)

    def add_input_tab(self, widget: QWidget, title: str) -> int:
        """A source's widget beside the pad, at the window's text size; its own Space is switched off (Space freezes the panels)."""
        for shortcut in (s for s in widget.findChildren(QShortcut) if s.key() == self.freeze_action.shortcut()):
            shortcut.setEnabled(False)
        index = self.inputs.addTab(widget, title)
        self.presentation.apply_text_sizes()
        return index

    # --- the lecture: freeze, presentation ---------------------------------------------------------
    @property
    def frozen(self) -> bool:
        """True while the panels hold their frame (input is still taken and computed)."""
        return self._frozen

    @property
    def held_result(self) -> FrameResult | None:
        """The newest result computed while frozen (shown when the freeze ends)."""
        return self._held

    def set_frozen(self, frozen: bool) -> None:
        """Hold the panels on the current frame, or let them show the newest result again."""
        if frozen == self._frozen:
            return
        self._frozen = frozen
        self.view.update(frozen=frozen)
        self.freeze_action.setChecked(frozen)
        self.frozen_label.setVisible(frozen)
        held, self._held = self._held, None
        if not frozen and held is not None:
            self.show_result(held)
        self.freeze_toggled.emit(frozen)

    @property
    def presenting(self) -> bool:
        """True while the presentation view is shown (F11)."""
        return self.presentation.on

    def set_presentation(self, on: bool) -> None:
        """Full screen with large type and the controls hidden (True), or the normal view."""
        self.presentation.set_on(on)

    def set_layout_1995(self, on: bool) -> None:
        """Input and answer at the left, then every layer in network order (LeCun's 1995 demo)."""
        sizes = self.columns.sizes()
        self.columns.insertWidget(1 if on else 2, self.right)
        self.columns.setSizes([sizes[0], sizes[2], sizes[1]])
        self.maps.set_layout_1995(on)

    def showEvent(self, event: QShowEvent) -> None:
        """The first time: fill the screen's free area (maximised), unless a size was set before."""
        if not self._placed:
            self._placed = True
            self.presentation.apply_text_sizes()  # for the screen it opens on, the status bar's labels included
            if not self.testAttribute(Qt.WidgetAttribute.WA_Resized):
                self.setGeometry(self.screen().availableGeometry())
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        super().showEvent(event)

    # --- handlers ----------------------------------------------------------------------------------
    def _on_escape(self) -> None:
        self.set_presentation(False) if self.presenting else self.pad.clear()

    def _on_unit_clicked(self, layer: str, index: int) -> None:
        selectors = [cast(QWidget, self.panel(spec.key)) for spec in with_capability(UNIT_CLICK)]  # every panel a click selects in
        if selectors and self.side.currentWidget() not in selectors:  # the first comes into view, unless one of them is
            self.side.setCurrentWidget(selectors[0])
        for selector in selectors:
            cast(UnitSelector, selector).select(layer, index)  # its parameters change: the view asks for its extra

    def _on_model_picked(self, index: int) -> None:
        name = self.model_picker.itemData(index)
        if name and (self.model is None or name != self.model.name):
            self.model_requested.emit(name, None)

    def _on_open_weights(self) -> None:
        path = QFileDialog.getOpenFileName(self, "Open weights", "", "PyTorch weights (*.pt *.pth);;All files (*)")[0] if self.model else ""
        if path and self.model is not None:
            self.model_requested.emit(self.model.name, path)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the status refresh and tell the session (it stops the inference thread)."""
        self.status_line.stop()
        self.closing.emit()
        super().closeEvent(event)


def _splitter(orientation: Qt.Orientation, widgets: Sequence[QWidget], sizes: list[int]) -> QSplitter:
    """A splitter holding ``widgets`` at ``sizes`` pixels."""
    splitter = QSplitter(orientation)
    for widget in widgets:
        splitter.addWidget(widget)
    splitter.setSizes(sizes)
    return splitter
