"""Snapshots for the lecture notes: the window (or one widget) as a PNG with a timestamped name."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
from PySide6.QtCore import QStandardPaths
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QWidget

from viz_app.files import atomic_path

PREFIX = "cnn-viz"


def default_folder() -> Path:
    """Where pictures go unless the user picked a folder: the platform's Pictures folder (else home)."""
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return Path(pictures) if pictures else Path.home()


def timestamped_path(folder: Path, suffix: str, now: datetime | None = None) -> Path:
    """``folder/cnn-viz-YYYYMMDD-HHMMSS.suffix``; a second file in the same second gets ``-2``, ``-3``..."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    path = folder / f"{PREFIX}-{stamp}.{suffix}"
    count = 2
    while path.exists():
        path = folder / f"{PREFIX}-{stamp}-{count}.{suffix}"
        count += 1
    return path


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` if needed; OSError with a sentence a user can act on if it cannot be written to."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    if not folder.is_dir():
        raise OSError(f"{folder} is not a folder")


def save_snapshot(widget: QWidget, folder: Path) -> Path:
    """A PNG of ``widget`` as it is drawn now, in ``folder``; the path written, whole (a half-written
    file is worse than none).

    Raises OSError (with a readable message) when the folder or the file cannot be written.
    """
    ensure_folder(folder)
    path = timestamped_path(folder, "png")
    with atomic_path(path) as part:
        if not widget.grab().save(str(part), "PNG"):
            raise OSError("the PNG was not written (is the folder writable and the disk not full?)")
    return path


def grab_window(window: QWidget) -> QPixmap:
    """The window as shown on its screen, cheaply (the screen's copy: a few ms), falling back to
    rendering the widget where the platform cannot read the screen (Wayland)."""
    screen = window.screen()
    if screen is not None:
        shot = screen.grabWindow(window.winId(), 0, 0, window.width(), window.height())
        if not shot.isNull() and shot.size() == window.size() * shot.devicePixelRatio():
            return shot
    return window.grab()


def image_to_rgb(image: QImage) -> np.ndarray:
    """A QImage as an H x W x 3 uint8 RGB array (a copy; safe on any thread)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    height, width = rgb.height(), rgb.width()
    rows = np.frombuffer(rgb.constBits(), np.uint8, count=rgb.bytesPerLine() * height).reshape(height, rgb.bytesPerLine())
    return rows[:, : width * 3].reshape(height, width, 3).copy()


def image_to_bgr(image: QImage) -> np.ndarray:
    """A QImage as an H x W x 3 uint8 BGR array, OpenCV's order (a copy; safe on any thread).

    A 32-bit image (what a grab gives) is B, G, R, A in memory: one channel drop, no conversion.
    """
    if image.format() not in (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32):
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    height, width = image.height(), image.width()
    rows = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * height).reshape(height, image.bytesPerLine())
    return np.ascontiguousarray(rows[:, : width * 4].reshape(height, width, 4)[:, :, :3])
