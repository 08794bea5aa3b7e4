"""Raw frames from every source, the pad included, prepared on the inference thread for the
model that is current there; a session that closes leaves nothing queued for its window."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QThread
from worker_queue import drain

from viz_app.app.session import Session, attach_sources
from viz_app.bench.synthetic import synth_photo
from viz_app.inputs import frame as inputs
from viz_app.inputs.photo import network_image
from viz_app.opencv import cv2
from viz_app.records.frames import FrameResult


@pytest.fixture()
def session(lenet_session):
    return lenet_session


@pytest.fixture
def photo(tmp_path: Path, mnist_test) -> Path:
    image, (x, y, w, h) = synth_photo(mnist_test.images[0], np.random.default_rng(0))
    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), cv2.cvtColor(image[y : y + h, x : x + w], cv2.COLOR_RGB2BGR))
    return path


@pytest.fixture
def preparations(monkeypatch) -> list[tuple[str, object, int]]:
    """Every photo prepared: (the thread's name, the ROI, the model's channels)."""
    calls: list[tuple[str, object, int]] = []

    def recording(image: np.ndarray, roi, channels: int) -> np.ndarray:  # noqa: ANN001
        calls.append((QThread.currentThread().objectName(), roi, channels))
        return network_image(image, roi, channels)

    monkeypatch.setattr(inputs, "network_image", recording)
    return calls


def _results(session: Session) -> list[FrameResult]:
    results: list[FrameResult] = []
    session.inference.worker.result_ready.connect(results.append)  # queued to this thread
    return results


def test_photos_are_prepared_on_the_inference_thread(qtbot, session, photo, preparations) -> None:
    results = _results(session)
    attach_sources(session, f"image:{photo}")
    qtbot.waitUntil(lambda: any(not r.empty for r in results), timeout=10_000)
    assert preparations and {name for name, _, _ in preparations} == {"inference"}
    assert preparations[0][2] == 1  # for the model current there: a digit model gets the ink


@pytest.mark.slow
@pytest.mark.parametrize("tab", [None, "augment", "unit"])
def test_a_model_switch_does_its_work_once(qtbot, session, photo, preparations, monkeypatch, tab) -> None:
    """A switch to a model whose layers were chosen before, with an insight panel in view (or
    none), however late the window answers: one pipeline (one calibration forward) with those
    layers, one build of the extra in view, one run of the last frame."""
    from viz_app.models import get_spec

    results = _results(session)
    window, worker = session.window, session.inference.worker
    if tab is not None:
        window.side.setCurrentWidget(window.panel(tab))
    if tab == "unit":
        window.maps.unit_clicked.emit("c3", 2)
    chosen = tuple(path for path, _ in get_spec("lenet5_1998").layers[::2])
    session.view.choose_layers(chosen, model="lenet5_1998")  # remembered for the next model
    attach_sources(session, f"image:{photo}")
    qtbot.waitUntil(lambda: any(r.model == "lenet5" and not r.empty and (tab is None or tab in r.extras) for r in results), timeout=10_000)
    seq = results[-1].seq
    calibrations, builds = worker.applier.calibrations, dict(worker.applier.builds)
    answer = window.side.model_changed

    def busy_window(info) -> None:  # noqa: ANN001 - the window answers the new model late
        time.sleep(0.3)
        answer(info)

    monkeypatch.setattr(window.side, "model_changed", busy_window)
    window.model_requested.emit("lenet5_1998", None)
    qtbot.waitUntil(lambda: any(r.model == "lenet5_1998" for r in results), timeout=30_000)
    drain(qtbot, worker)  # whatever else would run has run, and reached this thread
    rerun = [r for r in results if r.model == "lenet5_1998"]
    assert len(rerun) == 1 and rerun[0].seq == seq and not rerun[0].empty  # the last frame, once
    assert tuple(layer.name for layer in rerun[0].layers) == chosen  # the chosen layers from the first forward
    assert worker.applier.calibrations - calibrations == 1  # one pipeline
    built = {key: n - builds.get(key, 0) for key, n in worker.applier.builds.items() if n != builds.get(key, 0)}
    assert built == ({"augment": 1} if tab == "augment" else {})  # the unit's selection went with the old model
    assert rerun[0].generation == session.view.state.generation  # made under the view state in force


def test_a_new_roi_resends_the_last_photo_with_it(qtbot, session, photo, preparations) -> None:
    results = _results(session)
    controller = attach_sources(session, f"image:{photo}")
    view = controller.files.panel.view
    qtbot.waitUntil(lambda: view.roi() is not None and bool(results), timeout=10_000)
    done = len(results)
    view.set_roi((5, 5, 60, 60))
    assert controller.roi == (5, 5, 60, 60)
    qtbot.waitUntil(lambda: len(results) > done, timeout=10_000)
    assert preparations[-1][1] == (5, 5, 60, 60)


def test_a_frame_that_cannot_be_prepared_is_a_message(qtbot, session, photo, monkeypatch) -> None:
    def refuse(image: np.ndarray, roi, channels: int) -> np.ndarray:  # noqa: ANN001
        raise ValueError("region of interest (900, 900, 5, 5) lies outside the 60x60 image")

    monkeypatch.setattr(inputs, "network_image", refuse)
    controller = session.sources
    messages: list[str] = []
    controller.source_message.connect(messages.append)
    attach_sources(session, f"image:{photo}")
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert "lies outside" in messages[0] and "lies outside" in session.window.messages.text()


def test_the_pad_is_the_first_source_and_its_tab_redelivers_the_drawing(qtbot, session) -> None:
    controller, pad = session.sources, session.window.pad
    assert controller.tabs[0].kind == "pad" and controller.tab_index("pad") == 0
    assert controller.active is controller.pad
    results = _results(session)
    pad.stroke_begin(140, 40)
    pad.stroke_to(140, 240)
    pad.stroke_end()
    drawn = pad.seq
    qtbot.waitUntil(lambda: any(r.seq == drawn and not r.empty for r in results), timeout=10_000)
    attach_sources(session, "mnist")
    assert controller.active is controller.mnist.browser
    qtbot.waitUntil(lambda: results[-1].seq != drawn, timeout=10_000)  # the browser's digit
    pad.stroke_begin(40, 40)  # drawing while another tab feeds the network is only remembered
    drain(qtbot, session.inference.worker)
    assert all(r.seq != pad.seq for r in results)
    t_back = time.perf_counter()
    session.window.inputs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: results[-1].seq == pad.seq and results[-1].t_event >= t_back, timeout=10_000)


def test_close_leaves_nothing_queued_for_the_window(qtbot, session, on_gui_thread) -> None:
    worker, window = session.inference.worker, session.window
    with qtbot.waitSignal(on_gui_thread(worker.result_ready), timeout=10_000) as signal:
        window.pad.stroke_begin(140, 40)
        window.pad.stroke_to(140, 240)
    result = signal.args[0]
    reached: list[str] = []
    window.result_shown.connect(lambda r, t: reached.append("result"))
    window.model_shown.connect(lambda info: reached.append("model"))
    for y in range(60, 240, 10):  # frames still in flight when the window goes
        window.pad.stroke_to(100, y)

    def late_signals() -> None:  # queued from another thread just before closing
        worker.result_ready.emit(result)
        worker.model_loaded.emit(window.model)
        worker.failed.emit("a message for a closed window")

    emitter = threading.Thread(target=late_signals)
    emitter.start()
    emitter.join()
    session.close()
    QCoreApplication.processEvents()  # the worker's thread has ended: all it could send is posted by now
    assert reached == [] and "closed window" not in window.messages.text()
    window.pad.stroke_to(200, 200)  # input after closing goes nowhere
    QCoreApplication.processEvents()
    assert reached == []
