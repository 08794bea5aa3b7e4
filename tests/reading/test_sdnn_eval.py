"""`cnn-viz eval sdnn` on the real MNIST test set: the figures, side by side with the classical reader."""

from __future__ import annotations

import json

import numpy as np
import pytest

from viz_app.cli import main
from viz_app.training.mnist import Digits
from viz_app.training.string_eval import edit_distance, score
from viz_app.training.strings import ComposedString, evaluation_strings


@pytest.mark.slow
def test_eval_sdnn_reaches_the_figures(mnist_dir, capsys) -> None:
    assert main(["eval", "sdnn", "--data", str(mnist_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    sdnn, classical = report["readers"]["sdnn"], report["readers"]["classical"]
    assert sdnn["touching_n"] + sdnn["separate_n"] == 2000 and sdnn["touching_n"] >= 900
    # What the shipped weights reach (the card's figures: 95.9% of the strings, 94.5% of the touching
    # ones, 97.3% of the separate ones, 99.04% of the digits), less two strings for another CPU's rounding;
    # the digits' goal is 99%, and the card holds it with three edits to spare.
    assert sdnn["string_accuracy"] >= 0.958, sdnn
    assert sdnn["touching_string_accuracy"] >= 0.943, sdnn
    assert sdnn["separate_string_accuracy"] >= 0.971, sdnn
    assert sdnn["digit_accuracy"] >= 0.990, sdnn
    assert sdnn["touching_string_accuracy"] >= classical["touching_string_accuracy"] + 0.20, (sdnn, classical)
    assert classical["separate_string_accuracy"] >= 0.9  # the classical reader is a fair one where digits stand apart


@pytest.mark.slow
def test_eval_sdnn_prints_a_table(mnist_dir, capsys) -> None:
    assert main(["eval", "sdnn", "--data", str(mnist_dir)]) == 0
    out = capsys.readouterr().out
    assert "2,000 strings" in out and "classical (segment + lenet5)" in out and "sdnn (space displacement)" in out


def test_the_evaluation_set_is_fixed_and_made_of_test_digits(mnist_test: Digits) -> None:
    a, b = evaluation_strings(mnist_test, n=50), evaluation_strings(mnist_test, n=50)
    assert [s.text for s in a] == [s.text for s in b] and all((x.ink == y.ink).all() for x, y in zip(a, b))
    assert all(3 <= len(s.text) <= 6 for s in a)
    assert [s.touching for s in a[:4]] == [True, False, True, False]
    assert all(s.ink.shape[0] == 30 for s in a)


def test_string_and_digit_accuracy() -> None:
    assert edit_distance("1100", "110") == 1 and edit_distance("123", "213") == 2 and edit_distance("", "45") == 2
    ink = np.zeros((28, 28), np.uint8)
    truth = [ComposedString(ink, "1100", True), ComposedString(ink, "42", False), ComposedString(ink, "789", False)]
    figures = score(truth, ["110", "42", "780"])
    assert figures["string_accuracy"] == 1 / 3 and figures["digit_accuracy"] == 1 - 2 / 9
    assert figures["touching_string_accuracy"] == 0 and figures["touching_digit_accuracy"] == 0.75
    assert figures["separate_string_accuracy"] == 0.5 and figures["separate_digit_accuracy"] == 0.8
