"""Scoring string readers on the fixed set of composed MNIST-test strings.

String accuracy counts the strings read exactly; digit accuracy is 1 - (edit distance /
length), summed over the strings (a missed, extra or wrong digit each costs one edit).
Both are given overall and split into strings with touching (or overlapping) digits and
strings whose digits stand apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from viz_app.models.decode import read_batch
from viz_app.models.inputs import digits_to_tensor
from viz_app.models.registry import ModelSpec, get_spec
from viz_app.models.strings import make_strip, normalise_strip
from viz_app.training.classical import read_classical
from viz_app.training.mnist import Digits
from viz_app.training.strings import ComposedString, evaluation_strings

Reader = Callable[[Sequence[ComposedString]], list[str]]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions, one each."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def score(strings: Sequence[ComposedString], texts: Sequence[str]) -> dict[str, Any]:
    """String and digit accuracy overall, on touching strings and on separate ones."""
    out: dict[str, Any] = {"n": len(strings)}
    for part, keep in (("", lambda s: True), ("touching_", lambda s: s.touching), ("separate_", lambda s: not s.touching)):
        pairs = [(s.text, t) for s, t in zip(strings, texts) if keep(s)]
        digits = sum(len(truth) for truth, _ in pairs)
        edits = sum(edit_distance(truth, read) for truth, read in pairs)
        out[f"{part}n"] = len(pairs)
        out[f"{part}string_accuracy"] = sum(truth == read for truth, read in pairs) / max(1, len(pairs))
        out[f"{part}digit_accuracy"] = 1.0 - edits / max(1, digits)
    del out["n"]
    return out


@torch.inference_mode()
def sdnn_reader(model: nn.Module, batch: int = 64) -> Reader:
    """Read composed strings with a space-displacement network: one pass over each strip."""
    model.eval()

    def read(strings: Sequence[ComposedString]) -> list[str]:
        strips = [make_strip(s.ink, clean=True).pixels for s in strings]
        order = np.argsort([p.shape[1] for p in strips])  # similar widths share a batch
        texts = [""] * len(strips)
        for start in range(0, len(order), batch):
            chunk = order[start : start + batch]
            width = max(strips[i].shape[1] for i in chunk)
            pixels = np.zeros((len(chunk), 32, width), np.uint8)
            for row, i in enumerate(chunk):
                pixels[row, :, : strips[i].shape[1]] = strips[i]
            for i, text in zip(chunk, read_batch(model(normalise_strip(pixels)))):
                texts[int(i)] = text
        return texts

    return read


def evaluate_sdnn(model: nn.Module, test: Digits, n: int | None = None) -> dict[str, Any]:
    """The SDNN's figures on the evaluation strings (the first ``n`` of them, or all)."""
    strings = evaluation_strings(test)[:n]
    return score(strings, sdnn_reader(model)(strings))


@torch.inference_mode()
def lone_digit_accuracy(model: nn.Module, test: Digits) -> float:
    """Accuracy on the MNIST test digits one at a time: the one column of a 32x32 input,
    its best digit class (the blank left out)."""
    model.eval()
    right = 0
    spec = get_spec("lenet5")  # the same 28 -> 32 padding and MNIST normalisation
    for start in range(0, len(test), 1000):
        x = digits_to_tensor(test.images[start : start + 1000], spec)
        pred = model(x)[:, :10, 0].argmax(1).numpy()
        right += int((pred == test.labels[start : start + 1000]).sum())
    return right / len(test)


def compare_readers(sdnn: nn.Module, lenet: nn.Module, lenet_spec: ModelSpec, test: Digits, n: int | None = None) -> dict[str, dict[str, Any]]:
    """Both readers on the same evaluation strings: {"sdnn": figures, "classical": figures}."""
    strings = evaluation_strings(test)[:n]
    classical = read_classical([s.ink for s in strings], lenet, lenet_spec)
    return {"sdnn": score(strings, sdnn_reader(sdnn)(strings)), "classical": score(strings, classical)}
