"""Reading user image files: depths, alpha, palettes, and the files that must be refused."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from viz_app.opencv import cv2
from viz_app.sources.images import ImageError, list_images, read_image, to_uint8_rgb


@pytest.fixture
def rgb() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)


def test_rgb_png_comes_back_as_rgb(tmp_path: Path, rgb: np.ndarray) -> None:
    path = tmp_path / "a.png"
    Image.fromarray(rgb).save(path)
    out = read_image(path)
    assert out.dtype == np.uint8 and out.shape == (40, 60, 3)
    np.testing.assert_array_equal(out, rgb)


def test_16_bit_gray_is_scaled_to_8_bits(tmp_path: Path) -> None:
    gray16 = np.linspace(0, 65535, 50 * 20).reshape(20, 50).astype(np.uint16)
    path = tmp_path / "g16.png"
    assert cv2.imwrite(str(path), gray16)
    out = read_image(path)
    assert out.dtype == np.uint8 and out.shape == (20, 50)
    np.testing.assert_array_equal(out, (gray16 >> 8).astype(np.uint8))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint32])
def test_other_integer_pixels_are_stretched_from_their_range_to_8_bits(dtype) -> None:
    ramp = np.arange(-20, 30).reshape(5, 10) if np.issubdtype(dtype, np.signedinteger) else np.arange(100, 150).reshape(5, 10)
    out = to_uint8_rgb(ramp.astype(dtype))
    assert out.dtype == np.uint8 and out.shape == (5, 10)
    assert out.min() == 0 and out.max() == 255 and (np.diff(out.ravel().astype(int)) >= 0).all()
    assert not to_uint8_rgb(np.full((4, 4), 7, dtype)).any()  # a flat picture: black, not a division by zero


def test_rgba_is_laid_over_white_paper(tmp_path: Path) -> None:
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[:5, :, 3] = 255  # top half: opaque black ink; bottom half: transparent
    path = tmp_path / "ink.png"
    Image.fromarray(rgba, "RGBA").save(path)
    out = read_image(path)
    assert out.shape == (10, 10, 3)
    assert (out[:5] == 0).all() and (out[5:] == 255).all()


def test_white_ink_on_a_transparent_sheet_is_laid_over_black_paper(tmp_path: Path) -> None:
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[:5, :] = 255  # top half: opaque white ink; bottom half: transparent
    path = tmp_path / "chalk.png"
    Image.fromarray(rgba, "RGBA").save(path)
    out = read_image(path)
    assert (out[:5] == 255).all() and (out[5:] == 0).all()  # the ink still contrasts with its paper


def test_white_digit_on_a_transparent_sheet_is_read(tmp_path: Path) -> None:
    from viz_app.inputs.photo import extract_ink
    from viz_app.models import load_model
    from viz_app.probe.pipeline import Pipeline
    from viz_app.records.frames import Frame

    rgba = np.zeros((64, 64, 4), np.uint8)
    cv2.putText(rgba, "7", (16, 52), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255, 255), 5)
    path = tmp_path / "seven.png"
    cv2.imwrite(str(path), rgba)
    with Pipeline(load_model("lenet5"), layers=[]) as pipeline:
        result = pipeline.process(Frame(extract_ink(read_image(path)), 0.0))
    assert not result.empty and result.classes[result.prediction] == "7"


def test_opencv_keeps_its_own_warnings_off_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    cap = cv2.VideoCapture(63)  # no such camera: OpenCV would print several WARN and ERROR lines
    assert not cap.isOpened()
    err = capfd.readouterr().err
    assert "WARN" not in err and "ERROR" not in err


def test_palette_image_is_expanded(tmp_path: Path, rgb: np.ndarray) -> None:
    path = tmp_path / "p.png"
    Image.fromarray(rgb).convert("P").save(path)
    out = read_image(path)
    expected = np.asarray(Image.open(path).convert("RGB"))
    np.testing.assert_array_equal(out, expected)


def test_gif_falls_back_to_pillow(tmp_path: Path, rgb: np.ndarray) -> None:
    path = tmp_path / "p.gif"
    Image.fromarray(rgb).convert("P").save(path)
    out = read_image(path)
    np.testing.assert_array_equal(out, np.asarray(Image.open(path).convert("RGB")))


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_truncated_file_is_refused(tmp_path: Path, rgb: np.ndarray, suffix: str) -> None:
    whole = tmp_path / f"whole{suffix}"
    assert cv2.imwrite(str(whole), rgb)
    data = whole.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    with pytest.raises(ImageError, match="truncated"):
        read_image(cut)


def test_not_an_image_and_missing_file(tmp_path: Path) -> None:
    text = tmp_path / "notes.png"
    text.write_text("hello")
    with pytest.raises(ImageError, match="not a readable image"):
        read_image(text)
    with pytest.raises(ImageError, match="no such file"):
        read_image(tmp_path / "missing.png")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        read_image(empty)


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (a decompression bomb's header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))  # noqa: E731
    idat = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_20000_square_image_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_claiming(20_000, 20_000))
    with pytest.raises(ImageError, match="too large"):
        read_image(path)
    # Below Pillow's own bomb limit, the app's limit still applies, and says the size.
    path.write_bytes(_png_claiming(12_000, 12_000))
    with pytest.raises(ImageError, match="12,000 x 12,000"):
        read_image(path)


def test_large_photo_is_decoded_at_reduced_scale(tmp_path: Path) -> None:
    big = np.full((4200, 4200, 3), 200, np.uint8)  # 17.6 Mpixel: decoded at half size
    cv2.circle(big, (2100, 2100), 800, (0, 0, 0), 100)
    path = tmp_path / "big.jpg"
    assert cv2.imwrite(str(path), big)
    out = read_image(path)
    assert out.shape == (2100, 2100, 3)
    assert out[1050, 1050 - 400].max() < 60 and out[1050, 1050].min() > 150


def test_list_images_sorted_and_filtered(tmp_path: Path, rgb: np.ndarray) -> None:
    for name in ("b.png", "a.jpg", "c.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in list_images(tmp_path)] == ["a.jpg", "b.png"]


def test_image_source_steps_through_a_folder_and_reports_bad_files(tmp_path: Path, rgb: np.ndarray) -> None:
    from viz_app.sources.images import ImageSource

    Image.fromarray(rgb).save(tmp_path / "a.png")
    (tmp_path / "b.png").write_bytes(b"broken")
    Image.fromarray(rgb[:, :, 0]).save(tmp_path / "c.png")
    frames, messages = [], []
    source = ImageSource(tmp_path)
    source.start(frames.append, messages.append)
    assert len(frames) == 1 and frames[0].image.shape == (40, 60, 3) and frames[0].source == "image"
    source.step(1)
    assert source.current.name == "b.png" and "b.png" in messages[-1] and len(frames) == 1
    source.step(1)
    assert frames[-1].image.shape == (40, 60)
    source.step(1)
    assert source.current.name == "a.png" and len(frames) == 3
    source.open(tmp_path / "nothing-here")
    assert "no such file" in messages[-1]
    empty = tmp_path / "empty"
    empty.mkdir()
    source.open(empty)
    assert "no image files" in messages[-1]
