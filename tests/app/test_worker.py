"""The inference thread: newest input wins, results are numpy, start and stop are clean."""

import gc
import time

import numpy as np
import pytest
from bad_files import WEIGHTS_KINDS, write_weights
from PySide6.QtCore import Qt
from worker_queue import ask, drain

from viz_app.app.worker import InferenceThread
from viz_app.records.frames import Frame, FrameResult, ModelInfo
from viz_app.sources.scripted import scaled_strokes
from viz_app.sources.strokes import StrokeCanvas


@pytest.fixture()
def inference(qtbot):
    thread = InferenceThread()
    loaded = []
    thread.worker.model_loaded.connect(loaded.append)
    thread.start()
    ask(thread.worker, "lenet5", None)  # queued into the inference thread, as the window's view does
    qtbot.waitUntil(lambda: bool(loaded), timeout=30_000)
    assert isinstance(loaded[0], ModelInfo) and loaded[0].name == "lenet5"
    yield thread
    assert thread.stop()


def _ink(digit: int) -> np.ndarray:
    canvas = StrokeCanvas()
    for stroke in scaled_strokes(digit, canvas.size):
        canvas.draw_polyline(stroke)
    return canvas.ink.copy()


def test_newest_input_wins_under_a_burst_of_1000(inference, qtbot):
    results: list[FrameResult] = []
    inference.worker.result_ready.connect(results.append)
    inks = [_ink(d) for d in range(10)]
    for seq in range(1000):
        inference.worker.submit(Frame(inks[seq % 10], time.perf_counter(), seq))
    qtbot.waitUntil(lambda: bool(results) and results[-1].seq == 999, timeout=30_000)
    drain(qtbot, inference.worker)  # nothing older may arrive after the newest
    assert results[-1].seq == 999 and results[-1].prediction == 9
    seqs = [r.seq for r in results]
    assert seqs == sorted(seqs)
    assert len(results) < 200  # stale frames were dropped, not queued
    assert inference.worker.processed == len(results)


def test_results_are_numpy_records(inference, qtbot, on_gui_thread):
    with qtbot.waitSignal(on_gui_thread(inference.worker.result_ready), timeout=10_000) as signal:
        inference.worker.submit(Frame(_ink(6), time.perf_counter(), 1))
    result = signal.args[0]
    assert isinstance(result, FrameResult) and result.prediction == 6
    assert all(isinstance(layer.image, np.ndarray) for layer in result.layers)


def test_a_frame_that_breaks_inference_is_reported_and_the_worker_goes_on(inference, qtbot, on_gui_thread):
    with qtbot.waitSignal(on_gui_thread(inference.worker.failed), timeout=10_000) as signal:
        inference.worker.submit(Frame(np.zeros((4, 4, 4, 4), np.uint8), time.perf_counter(), 1))
    assert "Inference failed" in signal.args[0]
    with qtbot.waitSignal(on_gui_thread(inference.worker.result_ready), timeout=10_000):
        inference.worker.submit(Frame(_ink(2), time.perf_counter(), 2))


def test_start_and_stop_many_times(qtbot):
    for _ in range(5):
        thread = InferenceThread()
        thread.start()
        assert thread.thread.isRunning()
        assert thread.stop()
        assert not thread.thread.isRunning()
        assert thread.stop()  # stopping twice is harmless


def test_stop_while_busy(inference, qtbot):
    for seq in range(50):
        inference.worker.submit(Frame(_ink(seq % 10), time.perf_counter(), seq))
    assert inference.stop(timeout_ms=10_000)
    inference.worker.submit(Frame(_ink(1), time.perf_counter(), 99))  # ignored after stop


@pytest.mark.slow
def test_replacing_the_model_100_times_frees_every_old_one(inference, qtbot):
    import weakref

    from viz_app.probe.hooks import count_hooks

    old_models = []
    loaded = []
    inference.worker.model_loaded.connect(loaded.append)
    for i in range(100):
        old_models.append(weakref.ref(inference.worker.pipeline.loaded.model))
        ask(inference.worker, ("lenet5_1998", "lenet5")[i % 2], None)  # another model each time: each one is loaded
        qtbot.waitUntil(lambda i=i: len(loaded) == i + 1, timeout=30_000)
    gc.collect()
    assert sum(ref() is not None for ref in old_models) == 0  # hooks, tensors and all: gone
    assert count_hooks(inference.worker.pipeline.loaded.model) == len(inference.worker.pipeline.probe.names)


def test_a_setting_change_does_not_replace_newer_input(inference, qtbot):
    """A model or layer change re-runs the last input, but never over a newer frame still waiting."""
    results: list[FrameResult] = []
    inference.worker.result_ready.connect(results.append)
    inference.worker.submit(Frame(_ink(1), time.perf_counter(), 1))
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    # Queue a model load, then while it is waiting offer a newer frame: the load's re-run of
    # frame 1 comes after frame 2 reached the mailbox, and must leave it there.
    ask(inference.worker, "alexnet", None)
    inference.worker.submit(Frame(_ink(7), time.perf_counter(), 2))
    qtbot.waitUntil(lambda: any(r.seq == 2 for r in results), timeout=30_000)
    drain(qtbot, inference.worker)
    assert results[-1].seq == 2 and results[-1].prediction == 7


@pytest.mark.parametrize("kind", list(WEIGHTS_KINDS))
def test_a_bad_weights_file_is_refused_and_the_running_model_stays(kind, inference, qtbot, on_gui_thread, tmp_path):
    marker = tmp_path / "payload-ran"
    weights = write_weights(kind, tmp_path, marker)
    loaded: list[ModelInfo] = []
    inference.worker.model_loaded.connect(loaded.append)
    refused = on_gui_thread(inference.worker.refused)
    with qtbot.waitSignal(refused, timeout=10_000) as signal:
        ask(inference.worker, "lenet5", str(weights))
    applied, message = signal.args[0]
    assert WEIGHTS_KINDS[kind] in message and "still showing LeNet-5" in message
    assert applied.models[0].model.name == "lenet5" and applied.models[0].model.weights is None  # what is in force
    assert not marker.exists()
    with qtbot.waitSignal(on_gui_thread(inference.worker.result_ready), timeout=10_000) as shown:
        inference.worker.submit(Frame(_ink(3), time.perf_counter(), 7))
    assert shown.args[0].model == "lenet5" and shown.args[0].prediction == 3  # the trained model still runs
    assert loaded == []


def test_an_unknown_model_keeps_the_running_one_without_a_traceback(inference, qtbot, on_gui_thread, capfd):
    with qtbot.waitSignal(on_gui_thread(inference.worker.refused), timeout=10_000) as signal:
        ask(inference.worker, "nosuchmodel", None)
    applied, message = signal.args[0]
    assert "unknown model 'nosuchmodel'" in message and "still showing" in message
    assert applied.models[0].model.name == "lenet5"  # what the view (and the window's picker) goes back to
    assert "Traceback" not in capfd.readouterr().err


def test_an_unknown_model_at_start_opens_the_default_one(qtbot, capfd):
    thread = InferenceThread()
    loaded: list[ModelInfo] = []
    messages: list[str] = []
    thread.worker.model_loaded.connect(loaded.append)
    thread.worker.failed.connect(messages.append)
    thread.start()
    ask(thread.worker, "nosuchmodel", None)
    qtbot.waitUntil(lambda: bool(loaded), timeout=30_000)
    assert loaded[0].name == "lenet5" and loaded[0].trained
    assert any("nosuchmodel" in m and "opening lenet5 instead" in m for m in messages)
    assert thread.stop()
    assert "Traceback" not in capfd.readouterr().err


def test_stopping_while_a_large_model_loads_stops_the_load(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # no cached weights: it builds, then fails to download
    thread = InferenceThread()
    loaded: list[object] = []
    thread.worker.model_loaded.connect(loaded.append, Qt.ConnectionType.DirectConnection)
    thread.start()
    ask(thread.worker, "imagenet_vgg16_bn", None)  # ~140 M parameters: a second or more to build on a CPU
    assert thread.stop()  # the load stops at its next torch call (how soon: `cnn-viz bench close --early`)
    assert loaded == [] and thread.worker.pipeline is None
