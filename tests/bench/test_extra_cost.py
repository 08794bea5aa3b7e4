"""`python -m viz_app.bench.extra_cost`: the frames with and without an extra, and for Grad-CAM
torchcam's GradCAM beside a bare forward, taken in turn in one run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from viz_app.bench.extra_cost import extra_overhead, interleaved_medians


def test_the_calls_are_taken_in_turn_and_the_warm_rounds_not_counted() -> None:
    calls: list[str] = []
    medians = interleaved_medians({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, frames=4, warm=2)
    assert calls == ["a", "b"] * 6
    assert set(medians) == {"a", "b"} and all(ms >= 0 for ms in medians.values())


def test_gradcam_is_timed_beside_torchcam_in_the_same_rotation() -> None:
    ms = extra_overhead("lenet5", "saliency", {"method": "gradcam"}, frames=3, threads=1, torchcam=True)
    assert set(ms) == {"without", "with", "bare forward", "torchcam"}
    assert all(value > 0 for value in ms.values())


def test_torchcam_is_refused_for_an_extra_that_is_not_gradcam() -> None:
    with pytest.raises(ValueError, match="needs a layer"):
        extra_overhead("lenet5", "saliency", {"method": "gradient"}, frames=1, torchcam=True)


@pytest.mark.slow
def test_the_command_prints_both_comparisons() -> None:
    out = subprocess.run([sys.executable, "-m", "viz_app.bench.extra_cost", "lenet5", "saliency", "3", "1", '{"method": "gradcam"}'],
                         capture_output=True, text=True, timeout=300, check=True).stdout  # fmt: skip
    assert "interleaved frames: without" in out and "ratio" in out
    assert "torchcam's GradCAM on the same layer: bare forward" in out
