"""`cnn-viz predict`: classify image files through the same preprocessing as the window."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from viz_app.inputs.photo import extract_ink
from viz_app.models import load_model
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame
from viz_app.sources.images import ImageError, read_image


def predict_files(name: str, paths: list[Path], weights: Path | None = None, *, as_json: bool = False) -> int:
    """Print the prediction and class probabilities per file; 2 if any file could not be read.

    A bad weights file raises WeightsError before any image is read: the CLI's edge says why.
    """
    loaded = load_model(name, "cpu", weights, strict=weights is not None)
    for warning in loaded.warnings:
        print(f"cnn-viz: warning: {warning}", file=sys.stderr)
    failures = 0
    with Pipeline(loaded, layers=[]) as pipeline:
        for path in paths:
            try:
                image = read_image(path)
                # Digit models see the ink the way the camera view hands it over.
                frame_image = extract_ink(image) if loaded.spec.input.channels == 1 else image
            except (ImageError, ValueError) as exc:
                failures += 1
                _report_error(path, str(exc), as_json)
                continue
            result = pipeline.process(Frame(frame_image, time.perf_counter(), source=str(path)))
            probabilities = {c: round(float(p), 6) for c, p in zip(result.classes, result.probabilities)}
            if as_json:
                record = {"file": str(path), "prediction": None if result.empty else result.classes[result.prediction],
                          "confidence": None if result.empty else round(result.confidence, 6), "probabilities": probabilities}
                print(json.dumps(record))
            elif result.empty:
                print(f"{path}: no digit found")
            else:
                top = sorted(probabilities.items(), key=lambda kv: -kv[1])[:3]
                others = ", ".join(f"{c} {p:.1%}" for c, p in top[1:])
                print(f"{path}: {result.classes[result.prediction]} ({result.confidence:.1%}; then {others})")
    return 2 if failures else 0


def _report_error(path: Path, message: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"file": str(path), "error": message}))
    else:
        print(f"cnn-viz: error: {path}: cannot read: {message}", file=sys.stderr)
