"""Reading the string of digits in image files with a string model (`cnn-viz read`)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from viz_app.errors import UserError
from viz_app.models import get_spec, load_model
from viz_app.models.loader import LoadedModel
from viz_app.models.strings import StringReading, has_string_head, make_strip, read_logits
from viz_app.sources.images import read_image


@dataclass(frozen=True)
class FileReading:
    """One file's string: the reading and where each digit sits in the picture (x in pixels)."""

    path: Path
    reading: StringReading
    xs: list[float]

    def record(self) -> dict[str, Any]:
        """The JSON object `cnn-viz read --json` prints for this file."""
        r = self.reading
        digits = [{"digit": c, "x": round(x, 1), "confidence": round(p, 4)} for c, x, p in zip(r.text, self.xs, r.confidences)]
        return {"path": str(self.path), "text": r.text, "confidence": round(r.confidence, 4), "digits": digits}


def string_model(name: str) -> LoadedModel:
    """A registered string model with its shipped weights; a digit model is refused with the reason."""
    spec = get_spec(name)
    if not has_string_head(spec):
        raise UserError(f"{name} reads one digit at a time and has no string head; read strings with --model sdnn (or `cnn-viz predict {name}`)")
    return load_model(spec, "cpu")


@torch.inference_mode()
def read_file(path: Path, loaded: LoadedModel) -> FileReading:
    """The string in one image file (photo, scan or drawing; dark on light or light on dark)."""
    strip = make_strip(read_image(path))
    reading = read_logits(loaded.model(strip.tensor))
    return FileReading(path, reading, [strip.column_x(t) for t in reading.positions])


def read_files(name: str, paths: list[Path], *, as_json: bool = False) -> int:
    """Print the string read from each file; 2 if any file could not be read (the others still are)."""
    loaded = string_model(name)
    if not loaded.trained:
        raise UserError(f"{name} has no trained weights (assets/{loaded.spec.weights.file}); train them with `cnn-viz train {name}`")
    failures = 0
    for path in paths:
        try:
            result = read_file(path, loaded)
        except UserError as exc:
            failures += 1
            message = " ".join(str(exc).split())
            if as_json:
                print(json.dumps({"path": str(path), "text": None, "error": message}))
            else:
                print(f"cnn-viz: error: {path}: {message}", file=sys.stderr)
            continue
        if as_json:
            print(json.dumps(result.record()))
        elif result.reading.text:
            print(f"{path}: {result.reading.text} (least sure digit {result.reading.confidence:.1%})")
        else:
            print(f"{path}: no digits read")
    return 2 if failures else 0
