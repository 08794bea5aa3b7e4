"""The Train tab: the model shown learning MNIST live, its controls, curves and first-layer filters.

The panel only draws and asks: its buttons and settings become signals, and the training child's
progress (``viz_app.records.training.Progress``) comes back through ``show_progress``. Who runs the
training (``viz_app.app.train_runner``) also reloads the weights into the model shown, so the maps,
the answer and every other panel follow the model as it learns.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from viz_app.records.training import DEFAULT_LR, MAX_LR, OPTIMISER_TITLES, OPTIMISERS, LiveSettings, Progress, Step
from viz_app.ui.fit import wrapping_label
from viz_app.ui.panels.filters import FiltersPanel
from viz_app.ui.panels.train_curves import MAX_POINTS, TrainCurves

BATCH_SIZES = (8, 16, 32, 64, 128, 256, 512)
MARKS = (0.90, 0.95, 0.97, 0.98)  # held-out accuracies whose first time is shown
IDLE_TEXT = "Start trains the model shown on MNIST's 60,000 digits, in a process of its own; the pad stays live."
WIDE = 1.3  # wider than this times its height (and WIDE_MIN_PX): settings beside the curves
WIDE_MIN_PX = 700
NAMED_AXES_HEIGHT = 400  # pixels: a panel this high names the curves' axes


class TrainPanel(QWidget):
    """Start, Pause/Resume, Step and Reset; the optimiser, learning rate, batch size, augmentation; Save."""

    start_requested = Signal(str, object)  # "random" | "shipped", LiveSettings: a run from step 0, running
    step_requested = Signal(str, object)  # one batch (a paused run from step 0 first, where there is none)
    reset_requested = Signal(str, object)  # back to step 0 from the chosen weights, paused
    run_requested = Signal()  # resume
    pause_requested = Signal()
    settings_changed = Signal(object)  # LiveSettings, from the next step on
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = "idle"  # "idle", "starting", "running", "paused"
        self.trainable = True  # the model shown can be trained here
        self.model_title = "the model shown"
        self.points: list[tuple[float, float]] = []  # (seconds, held-out accuracy)
        self.steps: list[Step] = []
        self.reached: dict[float, float] = {}  # mark -> seconds
        self.progress_shown = 0
        self._build()
        self._wide: bool | None = None
        self._named: bool | None = None
        self._arrange(False)
        self._set_state("idle")

    # --- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.figures = wrapping_label(QLabel(IDLE_TEXT))
        self.figures.setTextFormat(Qt.TextFormat.PlainText)
        self.start_button = QPushButton("Start")
        self.step_button = QPushButton("Step")
        self.reset_button = QPushButton("Reset")
        self.save_button = QPushButton("Save…")
        self.start_button.setToolTip("Train batch after batch (Pause stops after the batch in hand)")
        self.step_button.setToolTip("Train on one batch, then wait")
        self.reset_button.setToolTip("Back to step 0, from the weights chosen under From")
        self.save_button.setToolTip("Write the weights and a card with their recipe; File > Open weights opens them again")
        self.start_button.clicked.connect(self._on_start_clicked)
        self.step_button.clicked.connect(lambda: self.step_requested.emit(self.start(), self.settings()))
        self.reset_button.clicked.connect(self._on_reset_clicked)
        self.save_button.clicked.connect(self.save_requested)
        self._build_settings()
        self.curves = TrainCurves()
        self.filters = FiltersPanel()
        self._build_layout()

    def _build_settings(self) -> None:
        self.start_from = QComboBox()
        self.start_from.addItem("from random weights", "random")
        self.start_from.addItem("from shipped weights", "shipped")
        self.start_from.setToolTip("Where Start and Reset begin: random weights, or the weights the app ships")
        self.optimiser = QComboBox()
        for key in OPTIMISERS:
            self.optimiser.addItem(OPTIMISER_TITLES[key], key)
        self.optimiser.setToolTip("The optimiser (a change starts it afresh at its usual learning rate)")
        self.rate = QDoubleSpinBox(decimals=4, minimum=0.0001, maximum=MAX_LR, value=DEFAULT_LR["adam"], prefix="rate ")
        self.rate.setStepType(QDoubleSpinBox.StepType.AdaptiveDecimalStepType)
        self.rate.setKeyboardTracking(False)  # typed digits count when the field is left or Enter is pressed
        self.rate.setToolTip("Learning rate, from the next batch on")
        self.batch = QComboBox()
        for size in BATCH_SIZES:
            self.batch.addItem(f"batch {size}", size)
        self.batch.setCurrentIndex(BATCH_SIZES.index(64))
        self.batch.setToolTip("Digits per step, from the next batch on")
        self.augment = QCheckBox("augment")
        self.augment.setToolTip("Distort each training digit a little (rotation, shift, scale, shear)")
        self.optimiser.currentIndexChanged.connect(self._on_optimiser_changed)
        self.rate.valueChanged.connect(self._on_settings_edited)
        self.batch.currentIndexChanged.connect(self._on_settings_edited)
        self.augment.toggled.connect(self._on_settings_edited)

    def _build_layout(self) -> None:
        buttons = QGridLayout()
        for i, button in enumerate((self.start_button, self.step_button, self.reset_button, self.save_button)):
            buttons.addWidget(button, i // 2, i % 2)
        self.settings_box = QWidget()
        self.settings_grid = QGridLayout(self.settings_box)
        self.settings_grid.setContentsMargins(0, 0, 0, 0)
        for widget in (self.start_from, self.optimiser, self.rate, self.batch):
            widget.setMinimumWidth(1)
            widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.pages = QTabWidget()  # narrow: one of curves, settings and filters at a time
        self.left = QWidget()  # wide: settings and filters beside the curves
        self.left_column = QVBoxLayout(self.left)
        self.left_column.setContentsMargins(0, 0, 0, 0)
        self.columns = QHBoxLayout()
        self.columns.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.figures)
        layout.addLayout(buttons)
        layout.addLayout(self.columns, 1)

    def _arrange(self, wide: bool) -> None:
        """Narrow (a side tab): the curves, the settings and the filters on pages of their own.
        Wide (presented): the settings and the filters on the left, the curves on the right."""
        if wide == self._wide:
            return
        self._wide = wide
        while self.pages.count():
            self.pages.removeTab(0)
        for widget in (self.pages, self.left, self.curves):
            self.columns.removeWidget(widget)
        for i, widget in enumerate((self.start_from, self.optimiser, self.rate, self.batch, self.augment)):
            self.settings_grid.removeWidget(widget)
            self.settings_grid.addWidget(widget, *((i, 0) if wide else divmod(i, 2)))  # wide: one column
        if wide:
            self.left_column.addWidget(self.settings_box)
            self.left_column.addWidget(self.filters, 1)
            self.columns.addWidget(self.left, 1)
            self.columns.addWidget(self.curves, 1)
            self.curves.stacked(True)
            self.pages.hide()
            self.left.show()
        else:
            self.pages.addTab(self.curves, "Curves")
            self.pages.addTab(self.settings_box, "Settings")
            self.pages.addTab(self.filters, "Filters")
            self.columns.addWidget(self.pages)
            self.curves.stacked(False)
            self.left.hide()
            self.pages.show()
        if wide:
            for widget in (self.curves, self.settings_box, self.filters):
                widget.show()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        size = event.size()
        # Wide only where no side tab ever is: a layout that changed the tab's own size could otherwise flip back and forth.
        self._arrange(size.width() >= WIDE_MIN_PX and size.width() > WIDE * size.height())
        named = size.height() >= NAMED_AXES_HEIGHT
        if named != self._named:
            self._named = named
            self.curves.name_axes(named)

    # --- what the window says -------------------------------------------------------------------
    def set_text_px(self, px: int) -> None:
        """The curves' axes and the filters' title at ``px`` pixels (the window's labels' size)."""
        self.curves.set_text_px(px)
        self.filters.set_text_px(px)

    def set_model(self, title: str, trainable: bool, why: str = "") -> None:
        """The model shown (what Start trains); ``why`` when it cannot be trained here."""
        self.model_title = title
        self.trainable = trainable
        if self.state == "idle":
            self.figures.setText(IDLE_TEXT.replace("the model shown", title) if trainable else why)
        self._set_state(self.state)

    def settings(self) -> LiveSettings:
        """The settings as the controls show them."""
        return LiveSettings(str(self.optimiser.currentData()), float(self.rate.value()), int(self.batch.currentData()),
                            self.augment.isChecked())  # fmt: skip

    def start(self) -> str:
        """Where a new run starts: "random" or "shipped" weights."""
        return str(self.start_from.currentData())

    def starting(self) -> None:
        """A new run is being set up (the child reads MNIST): the curves start again."""
        self.points, self.steps, self.reached = [], [], {}
        self.curves.draw(self.steps, self.points)
        self.figures.setText(f"Starting {self.model_title} {self.start_from.currentText()}: reading MNIST…")
        self._set_state("starting")

    def show_progress(self, progress: Progress) -> None:
        """Figures, curves and filters after some steps."""
        if progress.step is not None and (not self.steps or progress.step.step > self.steps[-1].step):
            self.steps.append(progress.step)
            del self.steps[: -MAX_POINTS * 4]  # the curves draw no more than these
        if progress.held_out is not None:
            seconds = progress.step.seconds if progress.step is not None else 0.0
            self.points.append((seconds, progress.held_out))
            for mark in MARKS:
                if progress.held_out >= mark and mark not in self.reached:
                    self.reached[mark] = seconds
        if progress.filters is not None:
            self.filters.show_record(progress.filters)
        self._set_state("running" if progress.running else "paused")
        self.figures.setText(self.describe())
        self.curves.draw(self.steps, self.points)
        self.progress_shown += 1

    def describe(self) -> str:
        """The figures, as the panel shows them."""
        step = self.steps[-1] if self.steps else None
        held = f"held-out {self.points[-1][1]:.1%}" if self.points else "held-out: not scored yet"
        if step is None:
            return f"{self.model_title} at step 0, {self.start_from.currentText()}: {held}"
        lines = [f"step {step.step:,} · epoch {step.epoch + 1} · {step.examples_per_s:,.0f} digits/s",
                 f"loss {step.loss:.3f} · batch {step.train_accuracy:.0%} · {held}"]  # fmt: skip
        if self.reached:
            lines.append(", ".join(f"{m:.0%} at {s:.1f} s" for m, s in sorted(self.reached.items())))
        return "\n".join(lines)

    def show_stopped(self, message: str) -> None:
        """Training stopped by itself (a loss that became NaN): paused, and why."""
        self._set_state("paused")
        self.figures.setText(f"{self.describe()}\nPaused: {message}")

    def show_failed(self, message: str) -> None:
        """The run could not go on (no MNIST, the child died): back to idle, and why."""
        self._set_state("idle")
        self.figures.setText(message)

    # --- the controls ---------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        self.state = state
        self.start_button.setText({"running": "Pause", "paused": "Resume", "starting": "Starting…"}.get(state, "Start"))
        self.start_button.setEnabled(state in ("running", "paused") or (state == "idle" and self.trainable))
        self.step_button.setEnabled(state in ("running", "paused") or (state == "idle" and self.trainable))
        self.reset_button.setEnabled(state in ("running", "paused"))
        self.save_button.setEnabled(state in ("running", "paused"))

    def _on_start_clicked(self) -> None:
        if self.state == "running":
            self.pause_requested.emit()
        elif self.state == "paused":
            self.run_requested.emit()
        elif self.state == "idle":
            self.start_requested.emit(self.start(), self.settings())

    def _on_reset_clicked(self) -> None:
        self.reset_requested.emit(self.start(), self.settings())

    def _on_optimiser_changed(self) -> None:
        """Each optimiser starts at its own usual rate."""
        self.rate.blockSignals(True)
        self.rate.setValue(DEFAULT_LR[str(self.optimiser.currentData())])
        self.rate.blockSignals(False)
        self._on_settings_edited()

    def _on_settings_edited(self) -> None:
        self.settings_changed.emit(self.settings())
