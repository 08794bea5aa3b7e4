"""OpenCV, imported so that it cannot hijack Qt's platform plugins or write to stderr.

opencv-python ships its own Qt 5 plugins and, on import, points QT_QPA_PLATFORM_PLUGIN_PATH
(and QT_QPA_FONTDIR) at them; PySide6 then fails to load its own platform plugin. Every
module of the app imports cv2 from here, which puts those variables back as they were.
"""

from __future__ import annotations

import os

_QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")
_before = {name: os.environ.get(name) for name in _QT_VARIABLES}
_QUIET = os.environ.get("CNN_VIZ_DEBUG", "") in ("", "0")
if _QUIET:
    # FFmpeg inside OpenCV prints its own lines while a video writer tries encoders
    # ("[h264_v4l2m2m ...] Could not find a valid device"); it reads its level at import.
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET

import cv2  # noqa: E402

for _name, _value in _before.items():
    if _value is None:
        os.environ.pop(_name, None)
    else:
        os.environ[_name] = _value

# OpenCV's own "[ WARN:0@...]" and "[ERROR:0@...]" lines (a missing camera, an unreadable
# video) would leak to the terminal; the app says what went wrong in its own words.
# CNN_VIZ_DEBUG=1 lets them through.
if _QUIET:
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

__all__ = ["cv2"]
