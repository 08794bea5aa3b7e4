"""The shipped MNIST zoo: every model loads strictly, reaches its figure on the real test set,
and shows layers that exist; the whole zoo stays small."""

from __future__ import annotations

import pytest
import torch

from viz_app.models import get_spec, list_specs, load_model
from viz_app.paths import assets_dir
from viz_app.probe.hooks import LayerProbe
from viz_app.training.evaluate import evaluate
from viz_app.training.mnist import Digits

ZOO = [spec.name for spec in list_specs() if spec.group == "MNIST zoo" and spec.name != "lenet5"]
FIGURE = {"lenet5_1998": 1.0 - 0.0095}  # the paper's error without distortions
DEFAULT_FIGURE = 0.994
_measured: dict[str, float] = {}


def measured_accuracy(name: str, digits: Digits) -> float:
    """Accuracy of the shipped weights on the 10,000 test digits, measured once per session."""
    if name not in _measured:
        loaded = load_model(name, "cpu", strict=True)
        _measured[name] = evaluate(loaded.model, loaded.spec, digits, torch.device("cpu"), batch_size=1000).accuracy
    return _measured[name]


def test_zoo_is_registered() -> None:
    assert "lenet5_1998" in ZOO and len(ZOO) >= 4
    assert all(get_spec(name).weights_file == f"{name}.pt" for name in ZOO)


@pytest.mark.parametrize("name", ZOO)
def test_shipped_weights_reach_the_figure(name: str, mnist_test: Digits) -> None:
    loaded = load_model(name, "cpu", strict=True)
    assert loaded.trained and not loaded.warnings
    accuracy = measured_accuracy(name, mnist_test)
    assert accuracy >= FIGURE.get(name, DEFAULT_FIGURE), f"{name}: {accuracy:.2%} on the MNIST test set"
    card = loaded.card
    # The card says what eval measures (a stray image or two allowed for thread-order rounding).
    assert abs(card["test_accuracy"] - accuracy) <= 2 / len(mnist_test)
    assert card["parameters"] == sum(p.numel() for p in loaded.model.parameters())
    assert card["data"]["test_sha256"] == mnist_test.checksum
    assert card["train_seconds"] > 0 and card["recipe"]["epochs"] >= 1


@pytest.mark.parametrize("name", ZOO)
def test_shown_layers_exist_and_fire_once(name: str, mnist_test: Digits) -> None:
    spec = get_spec(name)
    model = spec.build().eval()
    names = [path for path, _ in spec.layers]
    assert 6 <= len(names) <= 10 and len(set(names)) == len(names)
    x = torch.from_numpy(mnist_test.images[:2]).float().div(255).unsqueeze(1)  # N x 1 x 28 x 28
    x = torch.nn.functional.pad(x, (2, 2, 2, 2))  # N x 1 x 32 x 32
    with torch.inference_mode(), LayerProbe(model, names) as probe:
        out = model(x)
        assert out.shape == (2, 10)
        assert all(probe.calls[n] == 1 for n in names), probe.calls
        assert all(probe.outputs[n].shape[0] == 2 for n in names)


def test_lenet5_1998_as_published(mnist_test: Digits) -> None:
    loaded = load_model("lenet5_1998", "cpu", strict=True)
    model = loaded.model
    assert 1.0 - measured_accuracy("lenet5_1998", mnist_test) <= 0.0095
    assert sum(p.numel() for p in model.parameters()) == 60_000  # the paper's "about 60,000"
    prototypes = model.output.prototypes  # fixed +-1 7x12 bitmaps, not trained
    assert prototypes.shape == (10, 84) and set(prototypes.unique().tolist()) == {-1.0, 1.0}
    assert not any(p is prototypes for p in model.parameters())
    assert len({tuple(row.tolist()) for row in prototypes}) == 10
    assert loaded.card["paper_test_error"] == {"without_distortions": 0.0095, "with_distortions": 0.008}
    # Scores are minus the distance to the prototypes: F6 placed on a prototype gives distance 0.
    assert torch.equal(model.output(prototypes).argmax(1), torch.arange(10))
    assert float(model.output(prototypes).diagonal().abs().max()) == 0.0


def test_se_resnet_gates_are_hookable(mnist_test: Digits) -> None:
    from viz_app.models.zoo.se_resnet import se_gate_paths

    model = load_model("se_resnet", "cpu", strict=True).model
    gates = se_gate_paths(model)
    assert len(gates) == 3  # one SE block per stage
    x = torch.randn(3, 1, 32, 32)
    with torch.inference_mode(), LayerProbe(model, gates) as probe:
        model(x)
        for path in gates:
            gate = probe.outputs[path]
            assert gate.ndim == 4 and gate.shape[0] == 3 and gate.shape[2:] == (1, 1)
            assert float(gate.min()) >= 0.0 and float(gate.max()) <= 1.0


def test_zoo_weights_are_small() -> None:
    sizes = {name: (assets_dir() / get_spec(name).weights_file).stat().st_size for name in ZOO}
    assert sum(sizes.values()) < 8 * 2**20, sizes
