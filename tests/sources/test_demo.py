"""The Demo source: a scene played at the display rate, its frames reaching the network unchanged."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from viz_app.models import load_model
from viz_app.probe.pipeline import Pipeline
from viz_app.sources.demo import DemoSource, ping_pong
from viz_app.sources.scenes import get_scene


@pytest.fixture(scope="module")
def seven(mnist_test) -> np.ndarray:
    return mnist_test.images[0]


def _collect(source: DemoSource, seconds: float) -> list:
    frames, errors = [], []
    source.start(frames.append, errors.append)
    time.sleep(seconds)
    source.stop()
    assert errors == []
    return frames


def test_the_scene_plays_forth_and_back_at_its_rate(seven):
    scene = get_scene("rotation")
    source = DemoSource(scene, seven, label=7, rate=60.0)
    frames = _collect(source, 1.0)
    assert 40 <= len(frames) <= 75  # 60 steps a second, give or take a busy machine
    indices = [source.step_of(f.seq).index for f in frames]
    assert indices[: len(ping_pong(len(scene.values)))] == ping_pong(len(scene.values))[: len(indices)]
    for frame in frames[:5]:
        step = source.step_of(frame.seq)
        np.testing.assert_array_equal(frame.image, scene.apply(seven, step.value, seed=step.index))
        assert frame.prepared and frame.source == "demo"
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
    time.sleep(0.2)
    source.freeze(True)
    time.sleep(0.05)
    held = len(frames)
    time.sleep(0.2)
    assert len(frames) == held
    source.freeze(False)
    time.sleep(0.1)
    source.stop()
    assert len(frames) > held


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
