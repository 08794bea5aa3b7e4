"""Reading the SDNN's columns as a string: the best path through the CTC graph.

Each output column scores ten digits and the blank ("no digit centred here"). The string
is the best path (the Viterbi path under CTC's many-to-one map, taken column by column):
the winning class of each column, runs of one class collapsed to one character and blanks
dropped, so that a digit written twice ("1100") stays two characters only where a blank
column separates the two copies, which is what the network is trained to put there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from viz_app.models.zoo.sdnn import BLANK, FIELD, STRIDE

DIGITS = "0123456789"


@dataclass(frozen=True)
class StringReading:
    """The string read from one strip, with where and how sure each character is.

    ``positions`` are output columns (strip x = STRIDE * t + FIELD / 2 at the column's
    centre); ``column_classes`` is the winning class per column (10 = blank) and
    ``column_confidence`` its softmax probability.
    """

    text: str
    positions: list[int]
    confidences: list[float]
    column_classes: np.ndarray  # (T,) int64, 0-9 digits, 10 blank
    column_confidence: np.ndarray  # (T,) float32 in [0, 1]

    @property
    def confidence(self) -> float:
        """The least sure character's probability (1.0 for an empty reading)."""
        return min(self.confidences, default=1.0)


def column_centre(t: int | float) -> float:
    """Strip x at the centre of output column ``t`` (the centre of its 32-pixel window)."""
    return STRIDE * t + FIELD / 2


def read_logits(logits: torch.Tensor) -> StringReading:
    """Decode one strip's logits, 11 x T or 1 x 11 x T (classes 0-9 digits, 10 blank)."""
    if logits.ndim == 3:
        if logits.shape[0] != 1:
            raise ValueError(f"read_logits decodes one strip, got a batch of {logits.shape[0]}")
        logits = logits[0]
    if logits.ndim != 2 or logits.shape[0] != BLANK + 1:
        raise ValueError(f"expected 11 x T logits (10 digits and the blank), got {tuple(logits.shape)}")
    probs = torch.softmax(logits.detach().float().cpu(), dim=0)
    confidence, classes = probs.max(dim=0)
    return best_path(classes.numpy().astype(np.int64), confidence.numpy().astype(np.float32))


def best_path(classes: np.ndarray, confidence: np.ndarray) -> StringReading:
    """Collapse a column-wise path: runs of one class become one character, blanks go.

    Each character is placed at its run's most confident column, with that confidence.
    """
    text: list[str] = []
    positions: list[int] = []
    confidences: list[float] = []
    t, n = 0, len(classes)
    while t < n:
        end = t
        while end + 1 < n and classes[end + 1] == classes[t]:
            end += 1
        if classes[t] != BLANK:
            best = t + int(np.argmax(confidence[t : end + 1]))
            text.append(DIGITS[int(classes[t])])
            positions.append(best)
            confidences.append(float(confidence[best]))
        t = end + 1
    return StringReading("".join(text), positions, confidences, classes, confidence)


def read_batch(logits: torch.Tensor) -> list[str]:
    """The text of each strip of an N x 11 x T batch (strips padded with background on the right)."""
    classes = logits.detach().argmax(dim=1).cpu().numpy()
    texts = []
    for row in classes:
        keep = np.r_[True, row[1:] != row[:-1]] & (row != BLANK)
        texts.append("".join(DIGITS[int(c)] for c in row[keep]))
    return texts
