"""The window on real screens (Xvfb): 1024x768, 1280x720 and 2560x1440 at 200 %.

One app process per screen size (tests/ui/screens_driver.py) opens LeNet-5, draws a digit,
opens every side tab (a unit clicked for the Unit tab), presents, reads a string with the SDNN
(its tab, normal and presented), trains LeNet-5 on the Train tab (normal and presented) and
switches through one model of each family; after each
step the window must fit the screen and the answer, the probabilities and every map must lie
wholly inside it, and every text must pass the legibility check (tests/ui/legibility.py: on the
screen, inside its widget, overlapping none, at least 1/60 of the screen high, 1/40 presented).
Every side panel is presented too. Screenshots of every case go to test-artefacts/screens/<size>/.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from xserver import start_xvfb

pytestmark = pytest.mark.xserver

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("screens_driver.py")
FAMILIES = ("alexnet,vgg_bn,googlenet,inception_v3,resnet,resnext,densenet,se_resnet,shufflenet,mobilenet,"
            "imagenet_resnet18,imagenet_inception_v3")  # fmt: skip
SCREENS = [  # (X screen, QT_SCALE_FACTOR, what the driver does)
    ("1024x768", "1", ["--tabs", "--present", "--string", "--train"]),
    ("1280x720", "1", ["--tabs", "--present", "--string", "--train", "--models", FAMILIES]),
    ("2560x1440", "2", ["--tabs", "--present", "--string", "--train", "--models", FAMILIES]),
]


def _inside(rect: list[int], box: list[int], slack: int = 1) -> bool:
    x, y, w, h = rect
    bx, by, bw, bh = box
    return x >= bx - slack and y >= by - slack and x + w <= bx + bw + slack and y + h <= by + bh + slack


@pytest.mark.slow
@pytest.mark.parametrize(("size", "scale", "steps"), SCREENS, ids=[f"{s}@{f}x" for s, f, _ in SCREENS])
def test_everything_fits_the_screen(size: str, scale: str, steps: list[str], mnist_dir: Path) -> None:
    out = ROOT / "test-artefacts" / "screens" / f"{size}@{scale}x"
    server, display = start_xvfb(size, first=140)
    try:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "QT_SCALE_FACTOR": scale, "CNN_VIZ_DATA": str(mnist_dir)}
        run = subprocess.run([sys.executable, str(DRIVER), str(out), *steps], env=env, capture_output=True, text=True, timeout=600)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    cases = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0 and cases, run.stderr[-3000:]
    for case in cases:
        where = f"{case['case']} ({case['model']}), see {out / case['case']}.png"
        assert case.get("loaded", True), f"model did not show a frame: {where}"
        assert _inside(case["window"], case["available"]), f"window {case['window']} off the screen {case['available']}: {where}"
        assert case["minimum"][0] <= 1024, f"minimum width {case['minimum']}: {where}"
        assert case["prediction"] and _inside(case["prediction"], case["window"]), f"answer {case['prediction']}: {where}"
        assert _inside(case["probabilities"], case["window"]), f"probabilities {case['probabilities']}: {where}"
        assert case["maps"] or case["case"].startswith("present_"), f"no maps shown: {where}"  # a presented panel hides them
        assert not case["legibility"], f"not legible: {where}:\n  " + "\n  ".join(case["legibility"])
        for name, rect in case["maps"].items():
            assert rect[2] > 4 and rect[3] > 4, f"map {name} {rect} is not drawn: {where}"
            assert _inside(rect, case["maps_area"]) and _inside(rect, case["window"]), f"map {name} {rect} cut: {where}"
    if "--string" in steps:
        assert {"string_sdnn", "present_string_sdnn"} <= {c["case"] for c in cases}, "no string case"
    if "--train" in steps:  # LeNet-5 learning on the Train tab, in the side column and presented
        training = next(c for c in cases if c["case"] == "train_running")
        assert training["state"] == "running" and re.search(r"held-out \d+\.\d%", training["train"]), training
        assert "present_train_running" in {c["case"] for c in cases}, "the Train tab was not presented"
    if "--present" in steps:
        normal, after = next(c for c in cases if c["case"] == "start"), next(c for c in cases if c["case"] == "after_presentation")
        shown = next(c for c in cases if c["case"] == "presentation")
        assert shown["window"][2:] == shown["screen"][2:], "presentation is not full screen"
        assert after["maps"] == normal["maps"] and after["window"] == normal["window"], (
            f"after presentation: window {after['window']}, maps area {after['maps_area']}, maps {after['maps']}; before: "
            f"window {normal['window']}, maps area {normal['maps_area']}, maps {normal['maps']}"
        )
