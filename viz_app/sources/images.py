"""Reading image files a user hands the app, refusing the ones that would hurt it.

Pillow (a torchvision dependency) reads only the header to learn the size, so that a
decompression bomb (a 20,000 x 20,000 PNG of a few kilobytes) is refused before any pixel is
decoded; OpenCV then decodes, at a reduced scale for large photos.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image

from viz_app.errors import UserError
from viz_app.opencv import cv2
from viz_app.records.frames import Frame, FrameKind
from viz_app.sources.base import ErrorCallback, FrameCallback

MAX_PIXELS = 100_000_000  # 10,000 x 10,000; a 20,000 x 20,000 image is refused
REDUCE_ABOVE = 16_000_000  # larger images are decoded at 1/2, 1/4 or 1/8 scale
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm", ".gif")
_REDUCED = {2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4, 8: cv2.IMREAD_REDUCED_COLOR_8}


class ImageError(UserError, ValueError):
    """An image file that cannot be used, with a message meant for the user."""


def image_size(path: str | Path) -> tuple[int, int] | None:
    """(width, height) from the file's header without decoding pixels; None if Pillow cannot tell."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                return im.size
    except Image.DecompressionBombError:
        raise ImageError(f"{Path(path).name}: image is too large to open (far more than {MAX_PIXELS:,} pixels)") from None
    except (OSError, ValueError, SyntaxError):
        return None


def read_image(path: str | Path, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """The pixels of an image file: uint8, H x W (gray) or H x W x 3 (RGB).

    16-bit and float images are scaled to 8 bits, transparency is laid over white paper and
    palette images are expanded. Raises ImageError with a readable message for a missing,
    truncated, unreadable or oversized file.
    """
    path = Path(path)
    if not path.is_file():
        raise ImageError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    size = image_size(path)
    if size is not None and size[0] * size[1] > max_pixels:
        w, h = size
        raise ImageError(f"{path.name}: image is too large to open ({w:,} x {h:,} pixels, more than {max_pixels:,})")
    try:
        data = np.fromfile(path, np.uint8)
    except OSError as exc:
        raise ImageError(f"{path.name}: cannot read the file ({exc.strerror or exc})") from None
    if data.size == 0:
        raise ImageError(f"{path.name}: the file is empty")
    if data[:2].tobytes() == b"\xff\xd8" and b"\xff\xd9" not in data[-64:].tobytes():
        raise ImageError(f"{path.name}: the JPEG file is truncated")
    factor = _reduction(size)
    flags = _REDUCED[factor] if factor > 1 else cv2.IMREAD_UNCHANGED
    image = cv2.imdecode(data, flags)
    if image is None:
        image = _pillow_decode(path)
    if size is None and image.shape[0] * image.shape[1] > max_pixels:
        raise ImageError(f"{path.name}: image is too large to open ({image.shape[1]:,} x {image.shape[0]:,} pixels)")
    return to_uint8_rgb(image)


def _pillow_decode(path: Path) -> np.ndarray:
    """Pillow's decoding for what OpenCV cannot read (GIF, some TIFFs), in OpenCV's channel order."""
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
                return np.asarray(im)
            rgba = np.asarray(im.convert("RGBA"))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ImageError(f"{path.name}: not a readable image (truncated, damaged or an unknown format)") from None
    return cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA)


def _reduction(size: tuple[int, int] | None) -> int:
    """1, 2, 4 or 8: the smallest OpenCV decode scale that brings the image under REDUCE_ABOVE."""
    if size is None:
        return 1
    pixels = size[0] * size[1]
    for factor in (1, 2, 4):
        if pixels / factor**2 <= REDUCE_ABOVE:
            return factor
    return 8


def to_uint8_rgb(image: np.ndarray) -> np.ndarray:
    """OpenCV's decoded pixels (any depth; gray, BGR or BGRA) -> uint8 gray or RGB."""
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype.kind == "f":
        finite = np.nan_to_num(image.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
        image = (np.clip(finite, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = _stretched_to_uint8(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    if image.shape[2] == 4:
        image = _onto_contrasting_paper(image)
    return cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_BGR2RGB)


def _stretched_to_uint8(image: np.ndarray) -> np.ndarray:
    """Signed or 32-bit integer pixels stretched from their own minimum and maximum to 0-255 (a flat image is black)."""
    wide = image.astype(np.float64)
    low, high = float(wide.min()), float(wide.max())
    if high <= low:
        return np.zeros(image.shape, np.uint8)
    return ((wide - low) * (255.0 / (high - low)) + 0.5).astype(np.uint8)


def _onto_contrasting_paper(bgra: np.ndarray) -> np.ndarray:
    """Composite BGRA pixels onto paper that contrasts with the ink: white paper under dark
    ink, black paper under light ink (white chalk on a transparent sheet stays visible)."""
    alpha = bgra[:, :, 3:4].astype(np.float32) / 255.0
    colour = bgra[:, :, :3].astype(np.float32)
    ink = alpha[:, :, 0] > 0.5
    light_ink = bool(ink.any()) and float(colour[ink].mean()) > 127.5
    paper = 0.0 if light_ink else 255.0
    return (colour * alpha + paper * (1.0 - alpha) + 0.5).astype(np.uint8)


def list_images(folder: str | Path) -> list[Path]:
    """The image files of a folder (not recursive), sorted by name."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


class ImageSource:
    """`image:PATH`: one image file, or the images of a folder stepped with next / previous.

    Each step reads one file and delivers it once (the worker keeps the last frame); a file
    that cannot be read gives a message and the browsing goes on.
    """

    name = "image"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.files: list[Path] = []
        self.index = 0
        self._seq = 0
        self._on_frame: FrameCallback | None = None
        self._on_error: ErrorCallback | None = None

    def start(self, on_frame: FrameCallback, on_error: ErrorCallback) -> None:
        self._on_frame, self._on_error = on_frame, on_error
        self.open(self.path)

    def stop(self) -> None:
        self._on_frame = self._on_error = None

    @property
    def current(self) -> Path | None:
        return self.files[self.index] if self.files else None

    def open(self, path: str | Path) -> None:
        """Show ``path``: a file, or the first image of a folder."""
        path = Path(path)
        self.path = path
        if path.is_dir():
            files = list_images(path)
            if not files:
                self._error(f"{path}: no image files in this folder")
                return
            self.files, self.index = files, 0
        elif path.exists():
            self.files, self.index = [path], 0
        else:
            self._error(f"{path}: no such file or folder")
            return
        self._deliver()

    def step(self, delta: int) -> None:
        """Next (+1) or previous (-1) image of the folder, wrapping around."""
        if len(self.files) > 1:
            self.index = (self.index + delta) % len(self.files)
            self._deliver()

    def _deliver(self) -> None:
        path = self.files[self.index]
        try:
            image = read_image(path)
        except ImageError as exc:
            self._error(str(exc))
            return
        self._seq += 1
        if self._on_frame is not None:
            self._on_frame(Frame(image, time.perf_counter(), self._seq, self.name, kind=FrameKind.PHOTO))

    def _error(self, message: str) -> None:
        if self._on_error is not None:
            self._on_error(message)
