"""The leak check through the window's inference worker, in a process of its own (its resident
memory is the figure): a closed ImageNet model's memory leaves the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def run_leak_check(*args: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "viz_app.bench.leaks", "--worker", "--device", "cpu", "--frames", "3", *args]
    out = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.mark.slow
def test_a_closed_imagenet_model_gives_its_memory_back_in_the_worker() -> None:
    report = run_leak_check("--models", "imagenet_alexnet,imagenet_resnet18", "--cycles", "2")
    alexnet, resnet18 = report["closed_models"]
    # Their weights alone are 233 MB and 47 MB: shown, the process holds them; once LeNet-5 is
    # shown again, next to nothing stays. Without the hand-back glibc kept ~30 of ResNet-18's ~50 MB
    # (AlexNet's two big layers are mapped apart and went back even then).
    assert alexnet["held_mb"] > 150 and resnet18["held_mb"] > 30, report["closed_models"]
    for model in (alexnet, resnet18):
        assert model["kept_mb"] < max(10.0, 0.2 * model["held_mb"]), model
    assert [c["cycle"] for c in report["cycles"]] == [1, 2] and report["rss_growth_after_first_cycle_mb"] < 100
    assert report["freed_memory_given_back"] and report["hooks_left"] == 0
