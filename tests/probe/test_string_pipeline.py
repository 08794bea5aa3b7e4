"""String frames through the pipeline: a string reader gets the wide strip (never a 32x32 crop)
and its result carries the string read; the "sdnn" extra lays C1, C3 and C5 and the answer at
each position along the strip; a one-digit model refuses a string with a message."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from viz_app.models import load_model
from viz_app.models.decode import best_path
from viz_app.models.inputs import InputError
from viz_app.models.zoo.sdnn import FIELD, STRIDE, columns
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame, FrameKind, Layout
from viz_app.records.strings import StringRecord
from viz_app.sources.scripted import scaled_strokes
from viz_app.sources.strip_canvas import StripCanvas


def string_frame(digits: str, seq: int = 1) -> Frame:
    """``digits`` written with the scripted strokes on the pad's wide canvas, one per cell."""
    canvas = StripCanvas()
    for cell, digit in enumerate(digits):
        for stroke in scaled_strokes(int(digit), canvas.size):
            canvas.draw_polyline([(x + cell * canvas.size, y) for x, y in stroke])
    return Frame(canvas.ink.copy(), time.perf_counter(), seq, "pad", layout=Layout.STRING)


@pytest.fixture(scope="module")
def sdnn(one_torch_thread):
    with Pipeline(load_model("sdnn", torch.device("cpu"))) as pipeline:
        pipeline.add_extra(make_extra("sdnn", pipeline.loaded, {}))
        yield pipeline


def test_a_string_reaches_the_reader_as_one_wide_strip_and_comes_back_read(sdnn) -> None:
    assert sdnn.reads_strings
    result = sdnn.process(string_frame("31415"))
    height, width = result.network_input.shape
    assert height == 32 and width > 5 * 28  # the whole string, not one digit cut to 32x32
    record: StringRecord = result.extras["sdnn"]
    assert record.strip.shape == (32, width)
    assert record.positions == columns(width) and record.probabilities.shape == (11, record.positions)
    assert np.allclose(record.probabilities.sum(axis=0), 1.0, atol=1e-4)
    expected = best_path(record.probabilities.argmax(axis=0), record.probabilities.max(axis=0)).text
    assert result.text == record.text == expected == "31415"  # the trained SDNN reads the pad's string
    assert result.probabilities.shape == (11,) and not result.empty


def test_c1_c3_and_c5_sit_under_the_part_of_the_strip_they_see(sdnn) -> None:
    record: StringRecord = sdnn.process(string_frame("72")).extras["sdnn"]
    width = record.strip.shape[1]
    layers = {layer.name: layer for layer in record.layers}
    assert list(layers) == ["c1", "c3", "c5"]
    c1, c3, c5 = layers["c1"], layers["c3"], layers["c5"]
    # A valid 5x5 convolution: C1 column j centres on input x = j + 2; C5 column t, seeing a
    # 32-pixel window every STRIDE pixels, on STRIDE * t + 16 (its cell starts half a step before).
    assert (c1.along.x0, c1.along.step) == (2.0, 1.0) and c1.image.shape[1] == width - 4
    assert (c5.along.x0, c5.along.step) == ((FIELD - STRIDE) / 2, STRIDE) and c5.image.shape[1] == record.positions
    assert c3.along.step == 2.0
    for layer in (c1, c3, c5):
        end = layer.along.x0 + layer.image.shape[1] * layer.along.step
        assert layer.along.x0 >= 0 and end <= width  # every column over the strip
        assert layer.image.dtype == np.uint8 and layer.image.shape[0] <= 128 + layer.channels
    assert (record.along.x0, record.along.step) == ((FIELD - STRIDE) / 2, STRIDE)


def test_an_empty_string_canvas_is_blank_with_a_prompt_and_no_answer(sdnn) -> None:
    result = sdnn.process(Frame(np.zeros((280, 1400), np.uint8), time.perf_counter(), 2, "pad", layout=Layout.STRING))
    record: StringRecord = result.extras["sdnn"]
    assert result.empty and result.text == "" and record.empty and record.text == ""
    assert "Write a string" in record.message
    assert record.layers and record.strip.shape[1] > 32  # the maps keep a string's shape, dimmed by the panel


def test_one_digit_read_says_a_string_reads_better(sdnn) -> None:
    extra = make_extra("sdnn", sdnn.loaded, {})
    strip = np.zeros((32, 48), np.uint8)
    strip[8:24, 20:24] = 255
    probs = np.full((11, 5), 0.01, np.float32)
    probs[10] = 0.9
    probs[:, 2] = 0.01
    probs[7, 2] = 0.9  # one 7, blanks around it
    try:
        record = extra.unpack([strip, probs])
    finally:
        extra.close()
    assert record.text == "7" and "One digit read" in record.message
    assert list(record.winners) == [10, 10, 7, 10, 10]


def test_a_string_far_too_long_is_refused_with_its_reason(sdnn) -> None:
    ink = np.zeros((20, 3000), np.uint8)
    ink[5:15, :] = 255  # at the network's 20-pixel ink height this is 3,000 pixels wide: about 125 digits
    with pytest.raises(InputError, match="too long"):
        sdnn.process(Frame(ink, time.perf_counter(), 3, "pad", layout=Layout.STRING))


def test_a_one_digit_model_refuses_a_string_and_its_panel_says_why(one_torch_thread) -> None:
    with Pipeline(load_model("lenet5", torch.device("cpu"))) as lenet:
        lenet.add_extra(make_extra("sdnn", lenet.loaded, {}))
        assert not lenet.reads_strings
        with pytest.raises(InputError, match="reads one digit at a time: choose SDNN"):
            lenet.process(string_frame("31415"))
        one = string_frame("3")
        result = lenet.process(Frame(one.image[:, :280].copy(), one.t_event, 4, "pad"))  # the square pad's digit
    assert result.text is None and result.classes[result.prediction] in "0123456789"
    record: StringRecord = result.extras["sdnn"]
    assert not record.layers and "choose SDNN" in record.message


def test_the_reader_reads_a_one_digit_frame_and_a_demo_field_as_it_is(sdnn) -> None:
    digit = sdnn.process(Frame(string_frame("4").image[:, :280].copy(), time.perf_counter(), 5, "pad"))
    assert digit.text is not None and digit.network_input.shape[0] == 32
    field = np.zeros((28, 28), np.uint8)
    field[4:24, 2:6] = 255  # a stroke at the field's left: the demo's shift must stay
    shifted = sdnn.process(Frame(field, time.perf_counter(), 6, "demo", kind=FrameKind.PREPARED))
    assert shifted.network_input.shape == (32, 32)
    assert shifted.network_input[:, :10].any() and not shifted.network_input[:, 12:].any()


def test_the_panel_gets_c1_c3_and_c5_also_when_the_maps_show_other_layers(one_torch_thread) -> None:
    loaded = load_model("sdnn", torch.device("cpu"))
    with Pipeline(loaded, layers=["s2", "f6"]) as pipeline, Pipeline(loaded) as every:
        pipeline.add_extra(make_extra("sdnn", loaded, {}))
        every.add_extra(make_extra("sdnn", loaded, {}))
        frame = string_frame("08")
        for _ in range(2):  # the second frame runs without the extra's own hooks where the probe has the layers
            own, probed = pipeline.process(frame).extras["sdnn"], every.process(frame).extras["sdnn"]
            assert [layer.name for layer in own.layers] == ["c1", "c3", "c5"]
            for a, b in zip(own.layers, probed.layers):
                assert np.array_equal(a.image, b.image)


def test_a_growing_string_changes_the_strip_width_seldom(sdnn) -> None:
    widths = {sdnn.process(string_frame("31415"[:n])).network_input.shape[1] for n in range(1, 6)}
    assert all(width % 64 == 0 for width in widths) and len(widths) <= 3  # each new width re-lays every map


def test_a_single_digit_on_the_strip_is_read_with_a_note(sdnn) -> None:
    result = sdnn.process(string_frame("7"))
    record: StringRecord = result.extras["sdnn"]
    assert result.text == record.text == "7" and "One digit read" in record.message
    assert result.classes[result.prediction] == "7"  # the digit's best score beats the blank's worst
