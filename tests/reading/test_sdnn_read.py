"""`cnn-viz read` on image files of composed strings: either polarity, a scan or a photo."""

from __future__ import annotations

import json

import pytest
from reading.sdnn_files import string_ink, write_scan

from viz_app.cli import main
from viz_app.opencv import cv2
from viz_app.training.mnist import Digits

STRINGS = [([0, 1, 2, 3, 4], [6, 9, 4, 12]), ([7, 11, 11, 5], [5, 0, 8]), ([21, 34, 45], [3, 10])]  # touching strings are measured by eval


@pytest.mark.parametrize("dark_on_light", [True, False], ids=["dark-on-light", "light-on-dark"])
def test_read_gives_the_string_of_each_file(tmp_path, capsys, mnist_test: Digits, dark_on_light: bool) -> None:
    paths, truth = [], []
    for k, (indices, gaps) in enumerate(STRINGS):
        ink, text = string_ink(mnist_test, indices, gaps)
        paths.append(write_scan(ink, tmp_path / f"s{k}.png", dark_on_light=dark_on_light))
        truth.append(text)
    assert main(["read", *map(str, paths), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["path"] for r in records] == list(map(str, paths))
    assert [r["text"] for r in records] == truth
    # Each digit's x lies on the page's string (60-pixel margins), left to right.
    for r in records:
        xs = [d["x"] for d in r["digits"]]
        width = cv2.imread(r["path"], cv2.IMREAD_GRAYSCALE).shape[1]
        assert xs == sorted(xs) and all(60 <= x <= width - 60 for x in xs), (xs, width)


def test_read_a_photo_with_uneven_light(tmp_path, capsys, mnist_test: Digits) -> None:
    ink, text = string_ink(mnist_test, *STRINGS[0])
    dark = write_scan(ink, tmp_path / "dark.jpg", dark_on_light=True, photo=True)
    light = write_scan(ink, tmp_path / "chalk.jpg", dark_on_light=False, photo=True)
    assert main(["read", str(dark), str(light)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{dark}: {text} (") and lines[1].startswith(f"{light}: {text} (")
