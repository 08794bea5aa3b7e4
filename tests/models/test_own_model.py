"""Bring your own network: a user's file, an ONNX export and torchvision's classifiers open like the zoo."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from own_models import LABELS, write_labels, write_net, write_weights

from viz_app.models import get_spec, load_model, loader
from viz_app.models.custom import _import
from viz_app.models.inputs import digits_to_tensor, frame_to_tensor
from viz_app.models.user_model import ModelOptions, open_spec
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame, FrameKind


def _ink() -> np.ndarray:
    ink = np.zeros((280, 280), np.uint8)
    ink[60:220, 125:155] = 255
    return ink


def test_a_user_file_opens_with_its_layers_classes_and_predictions(tmp_path: Path) -> None:
    net = write_net(tmp_path)
    labels = write_labels(tmp_path)
    direct = _import(net).build().eval()
    weights = write_weights(tmp_path, direct)
    direct.load_state_dict(torch.load(weights, weights_only=True))
    spec = open_spec(f"{net}:build", ModelOptions(classes=labels, input="1x28x28"))
    assert spec.classes == tuple(LABELS) and spec.input.size == (28, 28) and spec.input.channels == 1
    # Stages: 24x24 (relu), 12x12 (pool), 8x8 (relu), 4x4 (pool); the last conv; the logits.
    assert [p for p, _ in spec.layers] == ["features.1", "features.2", "features.3", "features.4", "features.5", "head"]
    loaded = load_model(spec.name, "cpu", weights)
    assert loaded.trained and loaded.weights == str(weights)
    with Pipeline(loaded) as pipeline:
        result = pipeline.process(Frame(_ink(), time.perf_counter()))
    assert [layer.name for layer in result.layers] == [p for p, _ in spec.layers]
    assert result.classes == tuple(LABELS)
    x, _ = frame_to_tensor(_ink(), spec, torch.device("cpu"))
    expected = torch.softmax(direct(x), 1)[0].detach().numpy()
    np.testing.assert_allclose(result.probabilities, expected, atol=1e-5)
    assert get_spec(f"{net}:build") is get_spec(spec.name)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(cwd / "config")}  # never the user's own settings
    return subprocess.run([sys.executable, "-m", "viz_app", *args], capture_output=True, text=True, cwd=cwd, timeout=180, env=env)


@pytest.mark.slow
def test_a_user_file_through_the_command_line(tmp_path: Path) -> None:
    import cv2

    net = write_net(tmp_path)
    write_labels(tmp_path)
    direct = _import(net).build().eval()
    write_weights(tmp_path, direct)
    (tmp_path / "net.json").write_text(json.dumps({"input": "1x28x28", "classes": "labels.txt", "weights": "net.pt"}))
    cv2.imwrite(str(tmp_path / "one.png"), 255 - _ink())
    out = _cli("predict", "net.py:build", "one.png", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout.splitlines()[-1])
    assert record["prediction"] in LABELS and set(record["probabilities"]) == set(LABELS)
    summary = _cli("summary", "net.py:build", "--json", cwd=tmp_path)
    assert summary.returncode == 0, summary.stderr
    from PySide6.QtCore import QSettings

    from viz_app.app.recent import write_recent

    store = QSettings(str(tmp_path / "config" / "cnn-viz" / "cnn-viz.conf"), QSettings.Format.IniFormat)
    write_recent(store, [(f"{net}:build", "net.py:build")])
    store.sync()
    listing = _cli("models", "--all", cwd=tmp_path)
    assert listing.returncode == 0 and "torchvision:resnet101" in listing.stdout and "lenet5" in listing.stdout
    assert f"opened before (newest first):\n  {net}:build  (net.py:build)" in listing.stdout


@pytest.mark.slow
def test_an_onnx_export_of_lenet5_gives_the_same_probabilities(tmp_path: Path, mnist_test) -> None:
    native = load_model("lenet5", "cpu")
    path = tmp_path / "lenet5.onnx"
    example = torch.zeros(1, 1, 32, 32)
    torch.onnx.export(native.model, (example,), str(path), dynamo=False, input_names=["x"], dynamic_axes={"x": {0: "n"}})
    converted = load_model(str(path), "cpu")
    assert converted.trained and converted.spec.input.size == (32, 32) and converted.spec.group == "Your models"
    images = mnist_test.images
    x = digits_to_tensor(images[:500], native.spec)
    with torch.inference_mode():
        p_native = torch.softmax(native.model(x), 1)
        p_onnx = torch.softmax(converted.model(x), 1)
    assert (p_native - p_onnx).abs().max().item() < 1e-4
    titles = [t for _, t in converted.spec.layers]
    assert any("s2" in t for t in titles) and any("s4" in t for t in titles)  # the sub-sampling stages
    with Pipeline(converted) as pipeline:
        result = pipeline.process(Frame(_ink(), time.perf_counter()))
    assert [layer.name for layer in result.layers] == [p for p, _ in converted.spec.layers]
    assert result.classes[result.prediction] == "1"
    from viz_app.models.summary import layer_choices, summarize

    # The layer picker offers every node, named readably (a max-pool with its indices too).
    offered = [t for _, t in layer_choices(summarize(converted.model, (1, 1, 32, 32)), converted.spec.layers)]
    assert {"c1.c1.0.Conv", "s2.MaxPool", "s4.MaxPool", "f6.f6.1.Gemm"} <= set(offered) and not any("/" in t for t in offered)


def _small_classifiers() -> list[str]:
    """torchvision's classifiers under 10 M parameters, five drawn with seed 0 (building all ~80 costs minutes on 2 cores)."""
    from torchvision.models import get_model_weights

    from viz_app.models.torchvision_any import classification_names

    small = [n for n in classification_names() if get_model_weights(n).DEFAULT.meta["num_params"] < 10_000_000]
    return sorted(random.Random(0).sample(small, 5))


def _all_classifiers() -> list[str]:
    from viz_app.models.torchvision_any import classification_names

    return classification_names()


@pytest.mark.slow
def test_every_torchvision_classifier_gets_its_stages_and_logits() -> None:
    """Every name, traced on the meta device (no weights in memory): stages, last conv and logits chosen."""
    from viz_app.models.torchvision_any import torchvision_spec

    names = _all_classifiers()
    assert len(names) >= 80 and "resnet18" in names and "vit_h_14" in names
    from viz_app.models.imagenet import PREFIX, TITLES

    for arch in names:
        spec = torchvision_spec(arch)
        if arch in TITLES:  # the lecture's twelve keep their hand-picked layers
            assert spec.name == PREFIX + arch
            continue
        assert spec.name == f"torchvision:{arch}"
        assert len(spec.layers) >= 2 and len(spec.layers) <= 12, (arch, spec.layers)
        assert len(spec.classes) == 1000 and spec.weights.url, arch
        assert not any("/" in title for _, title in spec.layers), arch


@pytest.mark.slow
@pytest.mark.parametrize("arch", _small_classifiers())
def test_a_torchvision_classifier_shows_its_stages_untrained(arch: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def no_network(url: str, dest: Path, progress: object = None) -> None:
        raise loader.DownloadError("no network in tests")

    monkeypatch.setattr(loader, "download_file", no_network)
    loaded = load_model(f"torchvision:{arch}", "cpu")
    assert not loaded.trained and len(loaded.spec.layers) >= 3
    with Pipeline(loaded) as pipeline:
        frame = np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)
        result = pipeline.process(Frame(frame, time.perf_counter(), kind=FrameKind.PHOTO))
    assert [layer.name for layer in result.layers] == [p for p, _ in loaded.spec.layers]
    assert result.probabilities.shape == (len(loaded.spec.classes),)


def test_the_model_file_flags_reach_the_spec(tmp_path: Path) -> None:
    import argparse

    from viz_app.arguments import add_model_options, open_model_with_options
    from viz_app.errors import UserError

    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    add_model_options(parser)
    net = write_net(tmp_path)
    labels = write_labels(tmp_path)
    args = parser.parse_args(["--model", f"{net}:build", "--classes", str(labels), "--input", "1x28x28", "--mean", "0.5", "--std", "0.25"])
    spec = get_spec(open_model_with_options(args.model, args))
    assert spec.classes == tuple(LABELS) and spec.input.size == (28, 28) and spec.input.mean == (0.5,) and spec.input.std == (0.25,)
    with pytest.raises(UserError, match="--classes is only for a model file of your own, not for lenet5"):
        open_model_with_options("lenet5", parser.parse_args(["--classes", str(labels)]))
    with pytest.raises(SystemExit):
        parser.parse_args(["--mean", "0.1,0.2"])
