"""OpenCV, imported so that it cannot hijack Qt's platform plugins.

opencv-python ships its own Qt 5 plugins and, on import, points QT_QPA_PLATFORM_PLUGIN_PATH
(and QT_QPA_FONTDIR) at them; PySide6 then fails to load its own platform plugin. Every
module of the app imports cv2 from here, which puts those variables back as they were.
"""

from __future__ import annotations

import os

_QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")
_before = {name: os.environ.get(name) for name in _QT_VARIABLES}

import cv2  # noqa: E402

for _name, _value in _before.items():
    if _value is None:
        os.environ.pop(_name, None)
    else:
        os.environ[_name] = _value

__all__ = ["cv2"]
