"""`python -m viz_app.training.se_card`: the class-mean SE gates land in the model card beside the weights."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from viz_app.models import get_spec
from viz_app.models.loader import default_weights_path
from viz_app.models.weights import read_card
from viz_app.probe.extras.se import CARD_KEY
from viz_app.training import se_card
from viz_app.training.mnist import FILES, Digits


def write_idx(path: Path, array: np.ndarray, magic: int) -> None:
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def test_the_card_gets_one_mean_gate_per_class_and_block(tmp_path: Path, mnist_test: Digits, capsys: pytest.CaptureFixture[str]) -> None:
    picks = [int(np.flatnonzero(mnist_test.labels == d)[0]) for d in range(10)]  # one digit per class
    images_stem, labels_stem = FILES["test"]
    write_idx(tmp_path / f"{images_stem}.gz", mnist_test.images[picks], 0x00000803)
    write_idx(tmp_path / f"{labels_stem}.gz", mnist_test.labels[picks], 0x00000801)
    shipped = default_weights_path(get_spec("se_resnet"))
    assert shipped is not None
    weights = Path(shutil.copy(shipped, tmp_path / shipped.name))
    shipped_card = shipped.with_suffix(".json").read_bytes()
    shutil.copy(shipped.with_suffix(".json"), tmp_path / shipped.with_suffix(".json").name)

    assert se_card.main(["se_resnet", "--data", str(tmp_path), "--weights", str(weights)]) == 0
    means = read_card(weights)[CARD_KEY]
    assert means and all(len(per_class) == 10 for per_class in means.values())
    assert "class-mean gates written" in capsys.readouterr().out
    assert shipped.with_suffix(".json").read_bytes() == shipped_card  # the shipped card is untouched
