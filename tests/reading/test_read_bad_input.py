"""`cnn-viz read` with what a user may hand it by mistake: one line, exit status 2, no traceback."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from reading.sdnn_files import string_ink, write_scan

from viz_app.cli import main
from viz_app.opencv import cv2
from viz_app.training.mnist import Digits


def png_header(path: Path, width: int, height: int) -> Path:
    """A valid PNG header declaring ``width`` x ``height`` pixels, with no pixels behind it."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunks = [(b"IHDR", ihdr), (b"IDAT", zlib.compress(b"")), (b"IEND", b"")]
    body = b"".join(struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d)) for t, d in chunks)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def one_error(capsys, argv: list[str]) -> str:
    """Run `cnn-viz read`; it must fail with status 2 and one line on stderr, which is returned."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("cnn-viz: error: ") and "Traceback" not in err, err
    return err


def test_a_blank_page_and_a_photo_of_no_ink(tmp_path, capsys) -> None:
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((120, 400), 255, np.uint8))
    assert "no ink found" in one_error(capsys, ["read", str(blank)])
    paper = tmp_path / "paper.jpg"
    light = np.linspace(120, 200, 640)[None, :] + np.random.default_rng(0).normal(0, 3, (480, 640))
    cv2.imwrite(str(paper), np.clip(light, 0, 255).astype(np.uint8))
    assert "no ink found" in one_error(capsys, ["read", str(paper)])


def test_a_single_digit_is_a_string_of_one(tmp_path, capsys, mnist_test: Digits) -> None:
    ink, text = string_ink(mnist_test, [0], [])
    path = write_scan(ink, tmp_path / "one.png", dark_on_light=True)
    assert main(["read", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["text"] == text == "7"


def test_a_string_longer_than_the_strip(tmp_path, capsys, mnist_test: Digits) -> None:
    ink, _ = string_ink(mnist_test, list(range(250)), [4] * 249)
    path = write_scan(ink, tmp_path / "long.png", dark_on_light=True, scale=1)
    assert "too long to read" in one_error(capsys, ["read", str(path)])


def test_a_300_megapixel_image_is_refused_unread(tmp_path, capsys) -> None:
    path = png_header(tmp_path / "huge.png", 20_000, 15_000)
    assert "too large" in one_error(capsys, ["read", str(path)])


@pytest.mark.parametrize("model", ["lenet5", "resnet"])
def test_a_model_without_a_string_head(tmp_path, capsys, model: str) -> None:
    path = tmp_path / "x.png"
    cv2.imwrite(str(path), np.zeros((32, 96), np.uint8))
    assert "no string head" in one_error(capsys, ["read", str(path), "--model", model])


def test_an_unknown_model_and_broken_files(tmp_path, capsys, mnist_test: Digits) -> None:
    assert "unknown model" in one_error(capsys, ["read", "x.png", "--model", "nonesuch"])
    assert "no such file" in one_error(capsys, ["read", str(tmp_path / "missing.png")])
    text = tmp_path / "notes.png"
    text.write_text("not an image\n")
    assert "not a readable image" in one_error(capsys, ["read", str(text)])
    # A good file beside a bad one is still read; the exit status says one failed.
    ink, truth = string_ink(mnist_test, [1, 2, 3], [6, 6])
    good = write_scan(ink, tmp_path / "good.png", dark_on_light=True)
    assert main(["read", str(good), str(text), "--json"]) == 2
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records[0]["text"] == truth and records[1]["text"] is None and "not a readable image" in records[1]["error"]
