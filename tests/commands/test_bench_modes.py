"""`cnn-viz bench MODE [TARGET]`: each mode and what it measures, and the options of before as
aliases that say once what they now are."""

from __future__ import annotations

import argparse

import pytest

from viz_app.cli import _parser
from viz_app.commands.bench import resolve


def _resolved(argv: list[str]) -> tuple[str, str | None]:
    args = _parser().parse_args(["bench", *argv])
    return resolve(args)


@pytest.mark.parametrize(
    "argv, expected",
    [
        ([], ("window", None)),
        (["window", "--frames", "100"], ("window", None)),
        (["panel", "augment"], ("panel", "augment")),
        (["view", "presentation"], ("view", "presentation")),
        (["string"], ("string", None)),
        (["source", "camera:0"], ("source", "camera:0")),
        (["zoo", "--runs", "2"], ("zoo", None)),
        (["startup"], ("startup", None)),
        (["close", "--early"], ("close", None)),
    ],
)
def test_each_mode_is_named_and_takes_its_target(argv, expected, capsys) -> None:
    assert _resolved(argv) == expected
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--panel", "se"], ("panel", "se")),
        (["--view", "presentation"], ("view", "presentation")),
        (["--string"], ("string", None)),
        (["--source", "camera:1"], ("source", "camera:1")),
        (["--zoo"], ("zoo", None)),
        (["--startup"], ("startup", None)),
        (["--close"], ("close", None)),
    ],
)
def test_the_options_of_before_still_work_and_say_what_they_now_are(argv, expected, capsys) -> None:
    assert _resolved(argv) == expected
    note = capsys.readouterr().err
    mode, target = expected
    assert note.count("\n") == 1 and f"`cnn-viz bench {mode}{' ' + target if target else ''}`" in note


def test_view_normal_of_before_is_the_window_mode(capsys) -> None:
    assert _resolved(["--view", "normal"]) == ("window", None)


@pytest.mark.parametrize(
    "argv, said",
    [
        (["panel"], "needs its PANEL"),
        (["zoo", "--startup"], "choose one mode"),
        (["--zoo", "--close"], "choose one mode"),
        (["startup", "augment"], "takes no 'augment'"),
        (["view", "huge"], "only 'presentation'"),
        (["close", "--panel", "se"], "choose one mode"),
    ],
)
def test_modes_that_contradict_or_lack_their_target_are_refused(argv, said) -> None:
    with pytest.raises((ValueError, argparse.ArgumentTypeError), match=said):
        _resolved(argv)
