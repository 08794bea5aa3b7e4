"""The best-path decoder: runs collapse, blanks go, and a doubled digit needs a blank between."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from viz_app.models.strings import best_path, column_centre, read_logits
from viz_app.models.zoo.sdnn import BLANK, columns

B = BLANK


def logits_for(path: list[int], sure: float = 8.0) -> torch.Tensor:
    """11 x T logits whose winning class per column is ``path``."""
    x = torch.zeros(11, len(path))
    x[torch.tensor(path), torch.arange(len(path))] = sure
    return x


def test_repeats_collapse_and_blanks_keep_doubled_digits_apart() -> None:
    reading = read_logits(logits_for([B, 1, 1, B, 1, B, B, 0, 0, 0, B, 0, B]))
    assert reading.text == "1100"
    assert reading.column_classes.tolist() == [B, 1, 1, B, 1, B, B, 0, 0, 0, B, 0, B]
    assert read_logits(logits_for([B, 1, 1, 1, 0, 0, B])).text == "10"  # no blank: one 1, one 0
    assert read_logits(logits_for([7, 7, 3, 3, 7])).text == "737"  # a change of class separates too
    assert read_logits(logits_for([B] * 9)).text == ""


def test_each_character_sits_at_its_most_confident_column() -> None:
    classes = np.array([B, 4, 4, 4, B, 2, B])
    confidence = np.array([0.9, 0.5, 0.97, 0.6, 0.99, 0.8, 0.9], np.float32)
    reading = best_path(classes, confidence)
    assert reading.text == "42" and reading.positions == [2, 5]
    assert reading.confidences == pytest.approx([0.97, 0.8])
    assert reading.confidence == pytest.approx(0.8)
    assert column_centre(2) == 20.0  # column t sees strip x 2t .. 2t + 32


def test_read_logits_takes_a_batch_of_one_and_gives_probabilities() -> None:
    x = torch.randn(1, 11, 20)
    reading = read_logits(x)
    probs = torch.softmax(x[0], 0)
    assert np.allclose(reading.column_confidence, probs.max(0).values.numpy(), atol=1e-6)
    assert reading.column_classes.tolist() == probs.argmax(0).tolist()
    with pytest.raises(ValueError, match="11 x T"):
        read_logits(torch.zeros(10, 5))
    with pytest.raises(ValueError, match="one strip"):
        read_logits(torch.zeros(2, 11, 5))


def test_columns_follow_the_strip_width() -> None:
    assert [columns(w) for w in (31, 32, 33, 34, 36, 160)] == [0, 1, 1, 2, 3, 65]
