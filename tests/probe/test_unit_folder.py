"""Top images from the user's own folder, for a model without a data set here (ImageNet's resnet18
with seeded weights in a temporary torch cache): the command makes the index, the unit record
cuts the files to the unit's field, and the values equal a brute-force search."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from torchvision.models import get_model

from viz_app.models import get_spec, load_model
from viz_app.models.loader import cached_weights_path
from viz_app.opencv import cv2
from viz_app.probe.extras import make_extra
from viz_app.probe.pipeline import Pipeline
from viz_app.probe.unit_folder import folder_index_path, network_input
from viz_app.probe.unit_index import read_index
from viz_app.records.frames import Frame

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture()
def setting(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    spec = get_spec("imagenet_resnet18")
    torch.manual_seed(0)
    weights = cached_weights_path(spec.weights.url)
    weights.parent.mkdir(parents=True)
    torch.save(get_model("resnet18", weights=None).state_dict(), weights)
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(11):
        image = np.full((120, 160, 3), 40 * (i % 5), np.uint8)
        cv2.circle(image, (int(rng.integers(30, 130)), int(rng.integers(30, 90))), int(rng.integers(8, 30)), (255, 60 * (i % 4), 30), -1)
        cv2.imwrite(str(folder / f"p{i:02d}.png"), image)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    return spec, folder, tmp_path


@pytest.mark.slow
def test_a_folder_index_for_an_imagenet_model(setting, monkeypatch) -> None:
    spec, folder, tmp_path = setting
    env = {"TORCH_HOME": str(tmp_path / "torch"), "XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-m", "viz_app", "index", spec.name, "--folder", str(folder)], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    assert "over 11 images" in out.stdout and "left out: broken.jpg" in out.stdout
    index = read_index(folder_index_path(spec))
    assert index.folder == str(folder.resolve()) and len(index.files) == 11
    loaded = load_model(spec.name)
    layer = spec.layers[0][0]
    # Brute force: each unit's strongest value on each file.
    captured = {}
    handle = dict(loaded.model.named_modules())[layer].register_forward_hook(lambda m, i, o: captured.__setitem__("o", o.clone()))
    with torch.inference_mode():
        loaded.model(torch.cat([network_input(loaded, folder / name) for name in index.files]))
    handle.remove()
    strongest = captured["o"].flatten(2).amax(2).numpy()  # 11 x C
    top = index.layers[layer]
    for unit in (0, 5):
        np.testing.assert_allclose(top.values[unit], np.sort(strongest[:, unit])[::-1][:9], rtol=1e-4, atol=1e-5)
    with Pipeline(loaded) as pipeline:
        pipeline.add_extra(make_extra("unit", loaded, {"layer": layer, "index": 5}))
        record = pipeline.process(Frame(np.zeros((120, 160, 3), np.uint8), time.perf_counter())).extras["unit"]
    assert record.top_message == "" and record.top is not None
    assert record.top.crops.shape[0] == 9 and record.top.crops.shape[-1] == 3 and record.top.source == "of 11 images in photos"
    assert record.top.names[0] in spec.classes


def test_without_a_folder_index_the_record_says_how(setting) -> None:
    spec, _, _ = setting
    loaded = load_model(spec.name)
    with Pipeline(loaded) as pipeline:
        pipeline.add_extra(make_extra("unit", loaded, {"layer": spec.layers[0][0], "index": 0}))
        record = pipeline.process(Frame(np.zeros((64, 64, 3), np.uint8), time.perf_counter())).extras["unit"]
    assert record.top is None and f"cnn-viz index {spec.name} --folder DIR" in record.top_message
