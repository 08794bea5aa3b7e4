"""Hostile and broken files for the bad-input tests: weights, MNIST folders, images, videos.

Each writer takes a folder and returns the path to hand to the app. Everything is small:
the compression bomb declares 64 MiB in a file of about 100 KiB (the check is on what a file
declares, so a bigger bomb would prove nothing more and cost seconds).
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import torch

from viz_app.models import get_spec

BOMB_BYTES = 64 << 20


class Payload:
    """Pickles to a call that creates ``marker``: proof, if the file appears, that loading ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.touch, (self.marker,))


def _lenet_state() -> dict[str, torch.Tensor]:
    return get_spec("lenet5").build().state_dict()


def _saved(state: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def write_weights(kind: str, folder: Path, marker: Path) -> Path:
    """A weights file for lenet5 of ``kind`` (one of WEIGHTS_KINDS) in ``folder``."""
    path = folder / f"{kind}.pt"
    if kind == "hostile":
        path.write_bytes(_saved({**_lenet_state(), "extra": Payload(marker)}))
    elif kind == "bomb":
        _write_bomb(path, _saved(_lenet_state()))
    elif kind == "truncated":
        good = _saved(_lenet_state())
        path.write_bytes(good[: len(good) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "directory":
        path.mkdir()
    elif kind == "missing":
        pass
    elif kind == "wrong_shape":
        state = _lenet_state()
        first = next(iter(state))
        state[first] = torch.zeros(3, 3)
        path.write_bytes(_saved(state))
    elif kind == "nan":
        state = _lenet_state()
        next(v for v in state.values() if v.is_floating_point()).fill_(float("nan"))
        path.write_bytes(_saved(state))
    elif kind == "foreign":  # a real state dict, of another digit model
        path.write_bytes(_saved(get_spec("resnet").build().state_dict()))
    elif kind == "legacy":  # PyTorch's pre-1.6 format: tensor sizes only inside the pickle
        torch.save(_lenet_state(), path, _use_new_zipfile_serialization=False)
    elif kind == "not_a_state_dict":
        path.write_bytes(_saved([torch.zeros(3)]))
    else:
        raise ValueError(kind)
    return path


# kind -> words the one-line message must contain (it names the problem)
WEIGHTS_KINDS = {
    "hostile": "refused",
    "bomb": "too large",
    "truncated": "not a readable",
    "empty": "empty",
    "directory": "folder",
    "missing": "not found",
    "wrong_shape": "does not fit",
    "nan": "NaN",
    "foreign": "does not fit",
    "not_a_state_dict": "state dict",
    "legacy": "current format",
}


def _write_bomb(path: Path, good: bytes) -> None:
    """``good`` with its first tensor's record inflated to BOMB_BYTES of zeros, deflated."""
    source = zipfile.ZipFile(io.BytesIO(good))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for info in source.infolist():
            if info.filename.endswith("/data/0"):
                with bomb.open(info.filename, "w", force_zip64=True) as entry:
                    chunk = bytes(1 << 22)
                    for _ in range(BOMB_BYTES // len(chunk)):
                        entry.write(chunk)
            else:
                bomb.writestr(info.filename, source.read(info.filename))


def _idx(magic: int, array: np.ndarray) -> bytes:
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", n) for n in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), compresslevel=1)


def write_mnist(kind: str, folder: Path) -> Path:
    """An MNIST folder of ``kind`` (one of DATA_KINDS) with both splits."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "missing":
        return folder / "nowhere"
    if kind == "empty_folder":
        return folder
    if kind == "a_file":
        (folder / "t10k-images-idx3-ubyte.gz").write_bytes(b"")
        return folder / "t10k-images-idx3-ubyte.gz"
    n, side, label = {"no_images": (0, 28, 1), "small_images": (4, 5, 1), "bad_label": (4, 28, 200), "mismatch": (4, 28, 1)}[kind]
    images = np.zeros((n, side, side), np.uint8)
    labels = np.full(n - 1 if kind == "mismatch" else n, label, np.uint8)
    for prefix in ("train", "t10k"):
        (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(_idx(0x803, images))
        (folder / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(_idx(0x801, labels))
    return folder


DATA_KINDS = {
    "missing": "not found",
    "empty_folder": "not found",
    "a_file": "is a file",
    "no_images": "no images",
    "small_images": "28x28",
    "bad_label": "label 200",
    "mismatch": "labels",
}


def write_image(kind: str, folder: Path) -> Path:
    """An image file of ``kind`` (one of IMAGE_KINDS) that no decoder should turn into a digit."""
    path = folder / f"{kind}.png"
    if kind == "truncated":
        path.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    elif kind == "text":
        path.write_text("not an image at all\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "directory":
        path.mkdir()
    elif kind == "missing":
        pass
    elif kind == "pixel_bomb":  # a valid PNG header declaring 100,000 x 100,000 pixels
        ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
        chunks = [(b"IHDR", ihdr), (b"IDAT", zlib.compress(b"")), (b"IEND", b"")]
        body = b"".join(struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d)) for t, d in chunks)
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    else:
        raise ValueError(kind)
    return path


IMAGE_KINDS = ("truncated", "text", "empty", "directory", "missing", "pixel_bomb")


def write_video(kind: str, folder: Path) -> Path:
    """A video path of ``kind`` (one of VIDEO_KINDS) that cannot be played."""
    path = folder / f"{kind}.avi"
    if kind == "text":
        path.write_text("not a video\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "directory":
        path.mkdir()
    return path


VIDEO_KINDS = {"text": "not a video", "empty": "not a video", "directory": "no such video", "missing": "no such video"}
