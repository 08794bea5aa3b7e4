"""ImageNet models: metadata equal to torchvision's weights' (kept so that listing needs no torchvision), safe loading from torch's cache, no network."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from torchvision.models import get_model, get_weight

from viz_app.inputs.digit import mnist_digit
from viz_app.models import WeightsError, get_spec, load_model, loader
from viz_app.models.imagenet import IMAGENET_MODELS, adapt_state_dict
from viz_app.models.inputs import digits_to_tensor, frame_to_tensor
from viz_app.models.registry import specs_in_group
from viz_app.probe.pipeline import Pipeline
from viz_app.records.frames import Frame

REAL_DOWNLOAD = loader.download_file  # before the fixture below replaces it


@pytest.fixture(autouse=True)
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An empty torch cache and a downloader that records its calls and fails like a missing network."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    calls: list[str] = []

    def no_network(url: str, dest: Path, progress: object = None) -> None:
        calls.append(url)
        raise loader.DownloadError("no network in tests")

    monkeypatch.setattr(loader, "download_file", no_network)
    return calls  # a failed download is remembered per cache file: each test has its own cache


def ink_frame() -> np.ndarray:
    ink = np.zeros((280, 280), np.uint8)
    ink[60:220, 125:155] = 255  # a "1"
    ink[60:80, 100:155] = 255
    return ink


def test_all_lecture_models_are_registered_from_their_weights_metadata() -> None:
    assert [s.name for s in specs_in_group("ImageNet")] == list(IMAGENET_MODELS)
    assert len(IMAGENET_MODELS) == 12
    for spec in specs_in_group("ImageNet"):
        weights = get_weight(spec.weights.transforms)
        t = weights.transforms()
        assert spec.classes == tuple(weights.meta["categories"]) and len(spec.classes) == 1000
        assert spec.input.size == (t.crop_size[0], t.crop_size[0]) and spec.input.resize_size == t.resize_size[0]
        assert spec.input.mean == tuple(t.mean) and spec.input.std == tuple(t.std)
        assert spec.input.channels == 3 and spec.weights.file is None and spec.weights.url == weights.url
        assert spec.weights.meta["acc@1"] == weights.meta["_metrics"]["ImageNet-1K"]["acc@1"] and spec.family == type(weights).__name__.split("_Weights")[0]
    assert get_spec("imagenet_inception_v3").input.size == (299, 299)


@pytest.mark.slow
@pytest.mark.parametrize("name", IMAGENET_MODELS)
def test_every_imagenet_model_opens_offline_and_shows_its_blocks(name: str, offline: list[str]) -> None:
    loaded = load_model(name, "cpu")
    assert not loaded.trained and loaded.weights == "untrained weights"
    assert any("could not download" in w for w in loaded.warnings)
    assert offline == [loaded.spec.weights.url]
    with Pipeline(loaded) as pipeline:
        t0 = time.perf_counter()
        result = pipeline.process(Frame(ink_frame(), t0))
        # Every shown layer is a block output that ran exactly once (no reused module).
        assert all(calls == 1 for calls in pipeline.probe.calls.values()), pipeline.probe.calls
    assert [layer.name for layer in result.layers] == [n for n, _ in loaded.spec.layers]
    assert result.network_input.shape == (*loaded.spec.input.size, 3)
    assert result.probabilities.shape == (1000,) and abs(float(result.probabilities.sum()) - 1) < 1e-4
    assert not result.empty
    titles = [t for _, t in loaded.spec.layers]
    branches = [i for i, t in enumerate(titles) if "/" in t]
    if name in ("imagenet_googlenet", "imagenet_inception_v3"):
        # One Inception block's four paths, consecutive, sharing its "<block>/" prefix.
        assert len(branches) == 4 and branches == list(range(branches[0], branches[0] + 4))
        assert len({titles[i].split("/")[0] for i in branches}) == 1
    else:
        assert branches == []


def _save(state: dict[str, torch.Tensor], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    return path


def test_published_weights_in_torch_cache_are_loaded_without_network(offline: list[str]) -> None:
    spec = get_spec("imagenet_resnet18")
    reference = get_model("resnet18", weights=None).eval()
    torch.nn.init.normal_(reference.fc.weight, std=0.5)  # differ from a fresh build
    path = _save(reference.state_dict(), loader.cached_weights_path(spec.weights.url))
    assert path.name == "resnet18-f37072fd.pth" and path.parent.name == "checkpoints"

    loaded = load_model("imagenet_resnet18", "cpu")
    assert loaded.trained and loaded.weights == str(path) and loaded.warnings == ()
    assert offline == []  # the cache was enough
    assert loaded.card["test_accuracy"] == pytest.approx(get_weight(spec.weights.transforms).meta["_metrics"]["ImageNet-1K"]["acc@1"] / 100)
    x = torch.randn(2, 3, 224, 224)
    with torch.inference_mode():
        torch.testing.assert_close(loaded.model(x), reference(x))


def test_truncated_cache_file_gives_untrained_model_and_a_warning(offline: list[str]) -> None:
    spec = get_spec("imagenet_shufflenet_v2_x1_0")
    path = _save(get_model(spec.weights.meta["arch"], weights=None).state_dict(), loader.cached_weights_path(spec.weights.url))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    loaded = load_model(spec.name, "cpu")
    assert not loaded.trained and loaded.weights == "untrained weights"
    assert len(loaded.warnings) == 1 and path.name in loaded.warnings[0] and "untrained" in loaded.warnings[0]
    assert offline == []  # a damaged cache file is reported, not silently downloaded over
    with pytest.raises(WeightsError):
        load_model(spec.name, "cpu", strict=True)


def test_failed_download_is_tried_once_and_the_model_still_opens(offline: list[str]) -> None:
    first = load_model("imagenet_regnet_y_400mf", "cpu")
    second = load_model("imagenet_regnet_y_400mf", "cpu")
    assert not first.trained and not second.trained
    assert offline == [get_spec("imagenet_regnet_y_400mf").weights.url]  # not again on the next switch
    assert "untrained" in second.warnings[0]


def test_another_torch_cache_tries_the_download_again(tmp_path: Path, offline: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    url = get_spec("imagenet_regnet_y_400mf").weights.url
    load_model("imagenet_regnet_y_400mf", "cpu")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "another"))  # the user points torch elsewhere
    assert not load_model("imagenet_regnet_y_400mf", "cpu").trained
    assert offline == [url, url]


def test_a_download_fills_the_cache_and_reports_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = get_spec("imagenet_shufflenet_v2_x1_0")
    state = get_model(spec.weights.meta["arch"], weights=None).state_dict()
    seen: list[tuple[int, int]] = []

    def fake_download(url: str, dest: Path, progress) -> None:  # noqa: ANN001
        _save(state, dest)
        size = dest.stat().st_size
        progress(size // 2, size)
        progress(size, size)

    loaded = load_model(spec.name, "cpu", progress=lambda done, total: seen.append((done, total)), download=fake_download)
    assert loaded.trained and Path(loaded.weights) == loader.cached_weights_path(spec.weights.url)
    assert len(seen) == 2 and seen[-1][0] == seen[-1][1] > 0


def test_download_file_checks_the_hash_and_leaves_no_partial_file(tmp_path: Path) -> None:
    payload = np.random.default_rng(0).bytes(300_000)
    source = tmp_path / "source.bin"
    source.write_bytes(payload)
    digest = hashlib.sha256(payload).hexdigest()
    good = tmp_path / "cache" / f"net-{digest[:8]}.pth"
    seen: list[tuple[int, int]] = []
    REAL_DOWNLOAD(source.as_uri(), good, lambda done, total: seen.append((done, total)))
    assert good.read_bytes() == payload
    assert seen[-1] == (len(payload), len(payload)) and len(seen) > 1

    bad = tmp_path / "cache" / "net-00000000.pth"
    with pytest.raises(loader.DownloadError, match="SHA-256"):
        REAL_DOWNLOAD(source.as_uri(), bad)
    with pytest.raises(loader.DownloadError):
        REAL_DOWNLOAD((tmp_path / "missing.bin").as_uri(), tmp_path / "cache" / "missing.pth")
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [good.name]


def test_googlenet_published_layout_with_aux_heads_loads(offline: list[str]) -> None:
    spec = get_spec("imagenet_googlenet")
    # The published file holds the training-only auxiliary heads too.
    published = get_model("googlenet", weights=None, aux_logits=True, transform_input=True, init_weights=False).eval()
    assert any(k.startswith("aux1.") for k in published.state_dict())
    _save(published.state_dict(), loader.cached_weights_path(spec.weights.url))
    loaded = load_model("imagenet_googlenet", "cpu")
    assert loaded.trained, loaded.warnings
    x = torch.randn(1, 3, 224, 224)
    with torch.inference_mode():
        torch.testing.assert_close(loaded.model(x), published(x))


def test_old_densenet_key_names_are_renamed() -> None:
    state = {"features.denseblock1.denselayer1.norm.1.weight": torch.ones(1), "AuxLogits.fc.bias": torch.ones(1), "fc.bias": torch.zeros(1)}
    assert sorted(adapt_state_dict(state)) == ["fc.bias", "features.denseblock1.denselayer1.norm1.weight"]


def test_weights_argument_loads_a_local_file_and_names_a_mismatch(tmp_path: Path) -> None:
    good = _save(get_model("resnet18", weights=None).state_dict(), tmp_path / "mine.pt")
    assert load_model("imagenet_resnet18", "cpu", good).trained
    wrong = _save(get_model("resnet18", weights=None, num_classes=10).state_dict(), tmp_path / "ten.pt")
    with pytest.raises(WeightsError, match=r"fc\.weight: file \(10, 512\), model \(1000, 512\)"):
        load_model("imagenet_resnet18", "cpu", wrong, strict=True)
    loaded = load_model("imagenet_resnet18", "cpu", wrong)
    assert not loaded.trained and "shapes differ" in loaded.warnings[0]


def test_pad_ink_becomes_dark_on_white_rgb_through_the_weights_transforms() -> None:
    spec = get_spec("imagenet_efficientnet_b0")  # bicubic resize 256, crop 224
    ink = ink_frame()
    x, empty = frame_to_tensor(ink, spec, torch.device("cpu"))
    rgb = torch.from_numpy(255 - ink).expand(3, -1, -1).unsqueeze(0)
    torch.testing.assert_close(x, get_weight(spec.weights.transforms).transforms()(rgb))
    assert x.shape == (1, 3, 224, 224) and not empty
    blank, empty = frame_to_tensor(np.zeros_like(ink), spec, torch.device("cpu"))
    assert empty and torch.allclose(blank[0, :, 0, 0], (1 - torch.tensor(spec.input.mean)) / torch.tensor(spec.input.std))
    photo = np.random.default_rng(1).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    x, _ = frame_to_tensor(photo, spec, torch.device("cpu"))  # a camera frame is not inverted
    torch.testing.assert_close(x, get_weight(spec.weights.transforms).transforms()(torch.from_numpy(photo).permute(2, 0, 1)[None]))


def test_digit_models_keep_the_mnist_preprocessing() -> None:
    spec = get_spec("lenet5")
    ink = ink_frame()
    x, empty = frame_to_tensor(ink, spec, torch.device("cpu"))
    torch.testing.assert_close(x, digits_to_tensor(mnist_digit(ink), spec))
    assert x.shape == (1, 1, 32, 32) and not empty
