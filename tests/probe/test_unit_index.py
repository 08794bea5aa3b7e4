"""Unit indexes: the top digits equal a brute-force search, their crops line up with the unit's
field, the file round-trips, and without an index or a local MNIST copy the record says what to do."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from viz_app.models import load_model
from viz_app.models.inputs import digits_to_tensor
from viz_app.paths import assets_dir
from viz_app.probe.extras import make_extra
from viz_app.probe.hooks import count_hooks
from viz_app.probe.pipeline import Pipeline
from viz_app.probe.unit_index import build_index, read_index, save_index
from viz_app.probe.unit_top import crop, network_pixels
from viz_app.records.frames import Frame

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def lenet():
    return load_model("lenet5")


def brute_force(loaded, images: np.ndarray, layer: str) -> np.ndarray:
    """N x C: each unit's strongest value on each image, from the full activations."""
    captured = {}
    handle = dict(loaded.model.named_modules())[layer].register_forward_hook(lambda m, i, o: captured.__setitem__("o", o))
    with torch.inference_mode():
        loaded.model(digits_to_tensor(images, loaded.spec))
    handle.remove()
    out = captured["o"]
    return out.reshape(out.shape[0], out.shape[1], -1).amax(2).numpy()


def test_top_images_equal_a_brute_force_argmax(lenet, mnist_test) -> None:
    images, labels = mnist_test.images[:300], mnist_test.labels[:300]
    index = build_index(lenet, images, labels, batch=64)  # several batches: the running top is merged
    assert count_hooks(lenet.model) == 0
    for layer in ("c1", "c3", "s4", "f6", "output"):
        strongest = brute_force(lenet, images, layer)  # 300 x C
        top = index.layers[layer]
        for unit in range(strongest.shape[1]):
            order = np.argsort(-strongest[:, unit], kind="stable")[:9]
            np.testing.assert_allclose(top.values[unit], strongest[order, unit], rtol=1e-5, atol=1e-6)
            assert set(top.images[unit]) == set(order) or np.allclose(top.values[unit], strongest[top.images[unit].astype(int), unit], rtol=1e-5)
            np.testing.assert_array_equal(top.labels[unit], labels[top.images[unit].astype(int)])
        np.testing.assert_allclose(top.mean, brute_mean(lenet, images, layer), rtol=1e-4, atol=1e-6)


def brute_mean(loaded, images: np.ndarray, layer: str) -> np.ndarray:
    captured = {}
    handle = dict(loaded.model.named_modules())[layer].register_forward_hook(lambda m, i, o: captured.__setitem__("o", o))
    with torch.inference_mode():
        loaded.model(digits_to_tensor(images, loaded.spec))
    handle.remove()
    out = captured["o"]
    return out.reshape(out.shape[0], out.shape[1], -1).mean(2).mean(0).numpy()


def test_a_unit_finds_the_pattern_its_field_holds(lenet, mnist_test) -> None:
    """A C1 unit's own kernel pattern pasted into one digit: that digit comes first, at that place."""
    unit, (row, col) = 3, (6, 15)  # a C1 position: the 5x5 window at (6, 15) of the 32x32 input
    weight = lenet.model.c1[0].weight[unit, 0].numpy()
    patch = np.where(weight > 0, 255, 0).astype(np.uint8)
    images = mnist_test.images[:200].copy()
    images[123] = 0
    images[123, row - 2 : row + 3, col - 2 : col + 3] = patch  # 28x28 digit, padded by 2 on the way in
    index = build_index(lenet, images, mnist_test.labels[:200], layers=["c1", "c3"])
    top = index.layers["c1"]
    assert top.images[unit, 0] == 123
    assert tuple(top.positions[unit, 0]) == (row, col)
    extra = make_extra("unit", lenet, {"layer": "c1", "index": unit})
    extra.close()
    pixels = network_pixels(images[123:124], lenet.spec.input.size)[0]
    np.testing.assert_array_equal(crop(pixels, extra.field, row, col), patch)
    # A deeper unit's crop is its whole 14x14 field, zero-filled where it leaves the input.
    deep = make_extra("unit", lenet, {"layer": "c3", "index": 0})
    deep.close()
    pixels = network_pixels(images[:1], lenet.spec.input.size)[0]
    assert crop(pixels, deep.field, 0, 0).shape == (14, 14) and crop(pixels, deep.field, 9, 9).shape == (14, 14)
    np.testing.assert_array_equal(crop(pixels, deep.field, 9, 9), pixels[18:32, 18:32])


def test_the_file_round_trips(lenet, mnist_test, tmp_path) -> None:
    index = build_index(lenet, mnist_test.images[:100], mnist_test.labels[:100])
    size = save_index(index, tmp_path / "lenet5.units.npz")
    back = read_index(tmp_path / "lenet5.units.npz")
    assert size < 40_000 and back.model == "lenet5" and back.weights == index.weights and back.data == index.data
    for name, layer in index.layers.items():
        for field in ("images", "positions", "values", "labels", "mean"):
            np.testing.assert_array_equal(getattr(back.layers[name], field), getattr(layer, field))
    (tmp_path / "bad.units.npz").write_bytes(b"not an index")
    with pytest.raises(ValueError, match="not a unit index"):
        read_index(tmp_path / "bad.units.npz")


def unit_record(loaded, layer: str, index: int):
    with Pipeline(loaded) as pipeline:
        pipeline.add_extra(make_extra("unit", loaded, {"layer": layer, "index": index}))
        image = np.zeros((28, 28), np.uint8)
        image[5:23, 12:16] = 255
        return pipeline.process(Frame(image, time.perf_counter())).extras["unit"]


def test_the_shipped_index_gives_crops_and_scale(lenet, mnist_dir, monkeypatch) -> None:
    monkeypatch.setenv("CNN_VIZ_DATA", str(mnist_dir))
    record = unit_record(lenet, "c3", 3)
    top = record.top
    assert record.top_message == "" and top is not None
    assert top.crops.shape == (9, 14, 14) and not top.whole
    assert np.all(np.diff(top.values) <= 0) and top.best > top.mean > 0
    dense = unit_record(lenet, "output", 7).top
    assert dense.whole and dense.crops.shape == (9, 32, 32) and set(dense.labels) == {7}


def test_without_an_index_or_mnist_the_record_says_how(lenet, mnist_dir, tmp_path, monkeypatch) -> None:
    for name in ("lenet5.pt", "lenet5.json"):
        shutil.copy(assets_dir() / name, tmp_path / name)
    monkeypatch.setenv("CNN_VIZ_ASSETS", str(tmp_path))
    loaded = load_model("lenet5")
    record = unit_record(loaded, "c3", 3)
    assert record.top is None and "cnn-viz index lenet5" in record.top_message
    monkeypatch.delenv("CNN_VIZ_ASSETS")
    monkeypatch.setenv("CNN_VIZ_DATA", str(tmp_path))  # a folder without MNIST
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    record = unit_record(lenet, "c3", 3)
    assert record.top is None and "No local MNIST copy" in record.top_message and "CNN_VIZ_DATA" in record.top_message


@pytest.mark.slow
def test_cnn_viz_index_writes_the_file(mnist_dir, tmp_path) -> None:
    for name in ("lenet5.pt", "lenet5.json"):
        shutil.copy(assets_dir() / name, tmp_path / name)
    env = {"CNN_VIZ_ASSETS": str(tmp_path), "PATH": "", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-m", "viz_app", "index", "lenet5", "--data", str(mnist_dir)],
                         capture_output=True, text=True, timeout=300, env=env)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "lenet5: 258 units in 7 layers over 10,000 test digits" in out.stdout
    index = read_index(tmp_path / "lenet5.units.npz")
    assert list(index.layers) == [path for path, _ in load_model("lenet5").spec.layers]
    wrong = subprocess.run([sys.executable, "-m", "viz_app", "index", "imagenet_resnet18"], capture_output=True, text=True, timeout=120, env=env)
    assert wrong.returncode != 0 and "not an MNIST zoo model" in wrong.stderr and "Traceback" not in wrong.stderr
