"""The Train tab's widget on its own: what its buttons ask for, what it shows of a run's progress,
and its two arrangements (a narrow side tab: pages; presented wide: settings beside the curves)."""

from __future__ import annotations

import numpy as np

from viz_app.records.panels import FiltersRecord
from viz_app.records.training import DEFAULT_LR, LiveSettings, Progress, Step
from viz_app.ui.panels.train_panel import TrainPanel


def progress(step: int, held_out: float | None, running: bool = True) -> Progress:
    filters = FiltersRecord("c1.0", np.full((10, 15), 128, np.uint8), (2, 3), (5, 5), 6, (-0.3, 0.3))
    return Progress(Step(step, 0, step / 100, 2.3 / (1 + step), min(1.0, step / 500), 6000.0), filters, held_out, running)


def test_the_buttons_ask_for_a_run_with_the_settings_shown(qtbot) -> None:
    panel = TrainPanel()
    qtbot.addWidget(panel)
    asked = []
    panel.start_requested.connect(lambda start, settings: asked.append(("start", start, settings)))
    panel.step_requested.connect(lambda start, settings: asked.append(("step", start, settings)))
    panel.pause_requested.connect(lambda: asked.append(("pause",)))
    panel.run_requested.connect(lambda: asked.append(("run",)))
    panel.start_from.setCurrentIndex(panel.start_from.findData("shipped"))
    panel.optimiser.setCurrentIndex(panel.optimiser.findData("momentum"))
    assert panel.rate.value() == DEFAULT_LR["momentum"]  # each optimiser at its usual rate
    panel.batch.setCurrentIndex(panel.batch.findData(128))
    panel.augment.setChecked(True)
    panel.start_button.click()
    assert asked == [("start", "shipped", LiveSettings("momentum", DEFAULT_LR["momentum"], 128, True))]
    panel.starting()
    assert not panel.start_button.isEnabled() and panel.start_button.text() == "Starting…"
    panel.show_progress(progress(0, 0.1, running=True))
    assert panel.start_button.text() == "Pause"
    panel.start_button.click()
    panel.show_progress(progress(10, None, running=False))
    assert panel.start_button.text() == "Resume"
    panel.start_button.click()
    assert asked[1:] == [("pause",), ("run",)]


def test_progress_shows_the_figures_the_marks_and_the_curves(qtbot) -> None:
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.starting()
    for step, held in ((0, 0.1), (100, None), (200, 0.93), (300, None), (400, 0.975)):
        panel.show_progress(progress(step, held))
    text = panel.figures.text()
    assert "step 400" in text and "held-out 97.5%" in text and "6,000 digits/s" in text
    assert "90% at 2.0 s, 95% at 4.0 s, 97% at 4.0 s" in text and "98%" not in text
    assert len(panel.curves.held_out_curve.getData()[0]) == 3 and len(panel.curves.loss_curve.getData()[0]) == 5
    assert panel.filters.shown == 5  # each progress brings the filters as they are now
    panel.show_stopped("the loss became nan at step 401: lower the learning rate")
    assert panel.state == "paused" and "Paused: the loss became nan" in panel.figures.text()


def test_a_model_that_cannot_train_here_says_why_and_offers_no_start(qtbot) -> None:
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.set_model("sdnn", False, "Train works on the MNIST zoo's digit classifiers")
    assert not panel.start_button.isEnabled() and not panel.step_button.isEnabled()
    assert "digit classifiers" in panel.figures.text()
    panel.set_model("LeNet-5", True)
    assert panel.start_button.isEnabled() and "LeNet-5" in panel.figures.text()


def test_narrow_on_pages_and_wide_side_by_side(qtbot) -> None:
    panel = TrainPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 260)  # a side tab
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.pages.isVisible() and [panel.pages.tabText(i) for i in range(3)] == ["Curves", "Settings", "Filters"]
    assert not panel.curves.accuracy_plot.getPlotItem().getAxis("left").label.isVisible()  # too small to name its axes
    panel.resize(1200, 600)  # presented
    qtbot.waitUntil(lambda: panel.left.isVisible())
    assert not panel.pages.isVisible() and panel.filters.isVisible() and panel.curves.accuracy_plot.isVisible()
    assert panel.curves.accuracy_plot.getPlotItem().getAxis("left").label.isVisible()
