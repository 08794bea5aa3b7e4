"""Whether a recording reads back whole, before it is called saved.

A video writer reports nothing when its file comes out broken: OpenCV's VideoWriter writes the
MP4 index on release and says nothing when the disk is full then, leaving a file that does not
open. So a finished recording is read back before it takes its name.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from viz_app.opencv import cv2


def playback_problem(path: Path) -> str | None:
    """Why ``path`` is not a whole recording, or None when it is: not empty, and a GIF whose last
    frame reads, or a video that opens and gives its first frame."""
    if path.stat().st_size == 0:
        return "nothing was written"
    if path.suffix.lower() == ".gif":
        try:
            with Image.open(path) as gif:
                gif.seek(gif.n_frames - 1)
                gif.load()
        except (OSError, ValueError, EOFError) as exc:
            return f"the GIF does not read back ({exc})"
        return None
    capture = cv2.VideoCapture(str(path))
    try:
        plays = capture.isOpened() and capture.read()[0]
    finally:
        capture.release()
    return None if plays else "the video does not play back (the file is incomplete)"
