"""Giving a closed model's memory back, on the GUI thread."""

from __future__ import annotations

import torch
from PySide6.QtCore import QObject, Slot

from viz_app.memory import release_freed_memory


class MemoryCollector(QObject):
    """Lives in the GUI thread: collects garbage, gives the freed heap pages back and empties
    the CUDA cache after the worker freed a model, where finalising any Qt object is safe."""

    @Slot(str)
    def collect(self, device_type: str) -> None:
        """Collect garbage and return the freed host memory to the system (else each closed
        model leaves most of its size resident); empty the CUDA cache when it was on a GPU."""
        release_freed_memory()
        if device_type == "cuda":
            torch.cuda.empty_cache()

