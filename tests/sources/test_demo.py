"""The Demo source: a scene played at the display rate, its frames reaching the network unchanged."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from viz_app.models import load_model
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import FrameKind
from viz_app.sources.demo import DemoSource, ping_pong
from viz_app.sources.scenes import get_scene


@pytest.fixture(scope="module")
def seven(mnist_test) -> np.ndarray:
    return mnist_test.images[0]


def _until(condition, timeout: float = 30.0) -> None:  # noqa: ANN001
    """Wait for the source's thread to get there, however busy the machine."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _collect(source: DemoSource, count: int) -> tuple[list, float]:
    """At least ``count`` frames of ``source``, and the seconds it played."""
    frames, errors = [], []
    started = time.perf_counter()
    source.start(frames.append, errors.append)
    _until(lambda: len(frames) >= count)
    source.stop()
    assert errors == []
    return frames, time.perf_counter() - started


def test_the_scene_plays_forth_and_back_at_its_rate(seven):
    scene = get_scene("rotation")
    source = DemoSource(scene, seven, label=7, rate=60.0)
    frames, seconds = _collect(source, 40)
    # Never faster than 60 steps a second (a busy machine may make it slower, never faster):
    # step k is not shown before k / 60 s.
    assert len(frames) <= seconds * 60.0 + 2
    indices = [source.step_of(f.seq).index for f in frames]
    assert indices[: len(ping_pong(len(scene.values)))] == ping_pong(len(scene.values))[: len(indices)]
    for frame in frames[:5]:
        step = source.step_of(frame.seq)
        np.testing.assert_array_equal(frame.image, scene.apply(seven, step.value, seed=step.index))
        assert frame.kind is FrameKind.PREPARED and frame.source == "demo"
    assert not source.running


def test_a_shift_reaches_the_network_as_a_shift(seven, one_torch_thread):
    source = DemoSource(get_scene("translation"), seven)
    loaded = load_model("lenet5", "cpu")
    with Pipeline(loaded) as pipeline:
        centre = pipeline.process(source.frame_at(10))  # 0 pixels
        shifted = pipeline.process(source.frame_at(16))  # +6 pixels
    # The network's 32x32 input holds the digit 6 pixels further right, not re-centred.
    cols = [np.flatnonzero(r.network_input.max(axis=0) > 128) for r in (centre, shifted)]
    assert cols[1][0] - cols[0][0] == 6 and cols[1][-1] - cols[0][-1] == 6
    assert centre.prediction == 7


def test_pausing_holds_the_step(seven):
    source = DemoSource(get_scene("scale"), seven, rate=100.0)
    frames: list = []
    source.start(frames.append, lambda message: None)
    _until(lambda: len(frames) >= 3)
    source.freeze(True)
    held = len(frames)
    time.sleep(0.2)  # long enough for 20 steps at 100 a second: none may come but one under way as it froze
    assert len(frames) <= held + 1
    held = len(frames)
    source.freeze(False)
    _until(lambda: len(frames) > held)
    source.stop()


def test_a_failing_consumer_ends_the_scene_with_a_message(seven):
    source = DemoSource(get_scene("scale"), seven)
    messages: list[str] = []
    done = threading.Event()

    def fail(frame):  # noqa: ANN001, ANN202
        raise RuntimeError("no room")

    source.start(fail, lambda m: (messages.append(m), done.set()))
    assert done.wait(2.0)
    source.stop()
    assert messages == ["The demo stopped: no room"]


def test_the_demo_refuses_what_it_cannot_play(seven):
    with pytest.raises(ValueError, match="28x28 uint8 digit"):
        DemoSource(get_scene("scale"), np.zeros((280, 280), np.uint8))
    with pytest.raises(ValueError, match="rate must be positive"):
        DemoSource(get_scene("scale"), seven, rate=0)


def test_the_source_string_names_a_scene():
    from viz_app.sources.spec import parse_source

    assert parse_source("demo") == parse_source("demo:")
    spec = parse_source("demo:Rotation")
    assert spec.kind == "demo" and spec.scene == "rotation" and str(spec) == "demo:rotation"
