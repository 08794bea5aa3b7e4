"""The Train tab in the real window: LeNet-5 learning the real MNIST in a child process while the
pad stays live, the window showing the weights as they change; pause, one step, save (never over a
file without asking), a learning rate far too high, a child that dies, and closing mid-run."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from viz_app.errors import UserError
from viz_app.sources.scripted import draw_on
from viz_app.training.live import check_trainable

CHILD_START_S = 90  # the child imports torch and reads 70,000 digits: slow on a busy runner


@pytest.fixture()
def training(lenet_session, tmp_path, qtbot):
    """The session with the Train tab in view, its live weights in ``tmp_path``, a 3 drawn on the pad."""
    session = lenet_session
    session.training.folder = tmp_path
    window = session.window
    window.side.setCurrentWidget(window.train_panel)
    draw_on(window.pad, 3)
    return session


def click(button) -> None:  # noqa: ANN001
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def start(session, qtbot, scored: int = 2) -> None:  # noqa: ANN001
    panel = session.window.train_panel
    click(panel.start_button)
    qtbot.waitUntil(lambda: len(panel.points) >= scored and panel.state == "running", timeout=CHILD_START_S * 1000)


def test_the_window_follows_the_model_as_it_learns(training, qtbot, tmp_path) -> None:
    session, window = training, training.window
    panel = window.train_panel
    start(session, qtbot)
    qtbot.waitUntil(lambda: 0.9 in panel.reached, timeout=4 * CHILD_START_S * 1000)  # however busy the machine: it learns
    live = str(tmp_path / "lenet5-live.pt")
    assert session.view.state.model.weights == live
    qtbot.waitUntil(lambda: window.model is not None and window.model.weights == live, timeout=10_000)
    first, last = panel.points[0][1], panel.points[-1][1]
    assert first < 0.5 < last, f"held-out accuracy {first:.1%} at step 0, {last:.1%} after {panel.steps[-1].step} steps"
    shown: list[float] = []
    window.result_shown.connect(lambda _r, t: shown.append(t))
    revision = session.view.state.model.revision
    qtbot.waitUntil(lambda: len(shown) >= 5, timeout=60_000)  # the pen rests: these results come from new weights
    assert session.view.state.model.revision >= revision + 5 > 5  # each from weights read again (the rate is a bench figure)
    assert panel.filters.shown >= 3  # C1's filters redrawn as they change
    note = window.probabilities.weights_note
    assert note.isVisible() and note.text().startswith("Training live: step ")
    assert "held-out" in panel.figures.text() and "90% at" in panel.figures.text()

    click(panel.start_button)  # Pause
    qtbot.waitUntil(lambda: panel.state == "paused", timeout=5_000)
    paused_at = panel.steps[-1].step
    qtbot.wait(500)
    assert panel.steps[-1].step == paused_at
    click(panel.step_button)  # one batch
    qtbot.waitUntil(lambda: panel.steps[-1].step == paused_at + 1, timeout=5_000)

    saved = tmp_path / "mine.pt"
    assert session.training.save_to(saved)
    qtbot.waitUntil(lambda: saved.with_suffix(".json").exists(), timeout=30_000)
    card = json.loads(saved.with_suffix(".json").read_text())
    assert card["recipe"]["trainer"] == "train-live" and card["recipe"]["steps"] == paused_at + 1 and card["test_accuracy"] > 0.5
    assert all(torch.isfinite(v).all() for v in torch.load(saved, weights_only=True).values())
    before = saved.stat().st_mtime_ns
    assert not session.training.save_to(saved)  # not over a saved file without asking
    assert saved.stat().st_mtime_ns == before and "not overwritten" in window.messages.messages[-1]

    click(panel.start_button)  # Resume, then close in the middle of the run
    qtbot.waitUntil(lambda: panel.state == "running", timeout=5_000)
    pid = session.training.process.pid
    assert pid is not None
    began = time.perf_counter()
    session.close()
    qtbot.waitUntil(lambda: not _alive(pid), timeout=5_000)
    assert time.perf_counter() - began < 2.0  # the child ends within 2 s of the close
    assert session.view.state.model.weights is None  # the next start opens LeNet-5's own weights


def test_a_learning_rate_far_too_high_pauses_with_the_last_good_weights(training, qtbot, tmp_path) -> None:
    window = training.window
    panel = window.train_panel
    panel.optimiser.setCurrentIndex(panel.optimiser.findData("sgd"))
    panel.rate.setValue(1000.0)
    panel.batch.setCurrentIndex(panel.batch.findData(8))
    click(panel.start_button)
    qtbot.waitUntil(lambda: "lower the learning rate" in panel.figures.text(), timeout=CHILD_START_S * 1000)
    assert panel.state == "paused" and panel.start_button.text() == "Resume"
    assert any("lower the learning rate" in m for m in window.messages.messages)
    weights = torch.load(tmp_path / "lenet5-live.pt", weights_only=True)
    assert all(torch.isfinite(v).all() for v in weights.values())  # what the window shows is the last good weights


def test_a_training_child_that_dies_is_reported_and_the_window_goes_on(training, qtbot) -> None:
    session, window = training, training.window
    panel = window.train_panel
    start(session, qtbot)
    pid = session.training.process.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: panel.state == "idle" and "stopped unexpectedly" in panel.figures.text(), timeout=10_000)
    assert not window.probabilities.weights_note.isVisible()
    shown: list[int] = []
    window.result_shown.connect(lambda r, _t: shown.append(r.seq))
    window.pad.stroke_begin(10, 10)
    window.pad.stroke_to(40, 40)
    window.pad.stroke_end()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)  # the window is as live as before
    start(session, qtbot)  # and Start trains again, in a new child
    assert session.training.process.pid not in (None, pid)


def test_another_model_pauses_the_run_and_only_digit_classifiers_train(training, qtbot) -> None:
    session, window = training, training.window
    panel = window.train_panel
    start(session, qtbot)
    session.view.choose_model("lenet5")  # its own weights: not those being trained
    qtbot.waitUntil(lambda: panel.state == "idle" and "paused" in panel.figures.text(), timeout=10_000)
    assert not window.probabilities.weights_note.isVisible()
    assert check_trainable("vgg_bn").name == "vgg_bn"
    for name in ("sdnn", "imagenet_resnet18", "model.py"):
        with pytest.raises(UserError, match="digit classifiers"):
            check_trainable(name)


def test_without_mnist_the_tab_says_where_it_looked(training, qtbot, tmp_path, monkeypatch) -> None:
    empty = tmp_path / "no-mnist"
    empty.mkdir()
    monkeypatch.setenv("CNN_VIZ_DATA", str(empty))  # the child reads MNIST from here, and finds nothing
    panel = training.window.train_panel
    click(panel.start_button)
    qtbot.waitUntil(lambda: panel.state == "idle" and "not found" in panel.figures.text(), timeout=CHILD_START_S * 1000)
    assert str(empty) in panel.figures.text() and panel.start_button.isEnabled()
    assert training.view.state.model.weights is None  # the model shown keeps its own weights


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
