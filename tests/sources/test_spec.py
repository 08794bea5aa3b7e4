"""Parsing --source strings."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from viz_app.sources.spec import SourceSpec, SourceSpecError, argparse_source, parse_source


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pad", SourceSpec("pad")),
        ("camera", SourceSpec("camera", 0)),
        ("camera:2", SourceSpec("camera", 2)),
        ("CAMERA:1", SourceSpec("camera", 1)),
        ("mnist", SourceSpec("mnist")),
        ("video:clips/a b.avi", SourceSpec("video", path=Path("clips/a b.avi"))),
        ("image:C:/scans", SourceSpec("image", path=Path("C:/scans"))),
    ],
)
def test_valid_sources(text: str, expected: SourceSpec) -> None:
    assert parse_source(text) == expected
    assert parse_source(str(expected)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("webcam", "unknown source"),
        ("camera:x", "whole number"),
        ("camera:-1", "0 or more"),
        ("video", "needs a path"),
        ("image:", "needs a path"),
        ("mnist:3", "takes no argument"),
    ],
)
def test_invalid_sources_say_why(text: str, message: str) -> None:
    with pytest.raises(SourceSpecError, match=message):
        parse_source(text)
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        argparse_source(text)
