"""The screen a bench's offscreen Qt platform gets."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def offscreen_1080p() -> Path | None:
    """Before the bench starts Qt offscreen: one 1920x1080 screen (the presentation view is full screen)."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None or os.environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return None
    config = {"screens": [{"name": "bench", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "dpr": 1}]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="cnn-viz-screen-", delete=False) as file:
        json.dump(config, file)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={file.name}"
    return Path(file.name)
