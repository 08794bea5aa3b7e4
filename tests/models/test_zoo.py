"""The shipped MNIST zoo: every model loads strictly, reaches its figure on the real test set,
and shows layers that exist; the whole zoo stays small."""

from __future__ import annotations

import pytest
import torch

from viz_app.models import get_spec, list_specs, load_model
from viz_app.models.recipes import recipe_from_card
from viz_app.models.strings import has_string_head
from viz_app.paths import assets_dir
from viz_app.probe.hooks import LayerProbe
from viz_app.training.evaluate import evaluate
from viz_app.training.mnist import Digits

ZOO = [spec.name for spec in list_specs() if spec.group == "MNIST zoo" and spec.name != "lenet5"]
# The string reader's figures are strings read (tests/reading); here it shares the layer checks.
DIGIT_ZOO = [name for name in ZOO if not has_string_head(get_spec(name))]
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
    assert all(get_spec(name).weights.file == f"{name}.pt" for name in ZOO)


@pytest.mark.slow
@pytest.mark.parametrize("name", DIGIT_ZOO)
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
    # `cnn-viz train NAME` reproduces the weights: the card's recipe is the registered one.
    assert recipe_from_card(card["recipe"]) == loaded.spec.recipe


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
        # N x 10, or a string reader's N x 11 x T with T = 1 on a lone 32x32 digit (class 10: blank)
        assert out.shape == ((2, 10) if not has_string_head(spec) else (2, 11, 1))
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
    sizes = {name: (assets_dir() / get_spec(name).weights.file).stat().st_size for name in ZOO}
    assert sum(sizes.values()) < 8 * 2**20, sizes


def test_every_family_of_the_lecture_is_in_the_zoo() -> None:
    families = {get_spec(name).family for name in [*ZOO, "lenet5"]}
    lecture = {"LeNet", "AlexNet", "VGG", "Inception", "BatchNorm", "ResNet", "ResNeXt", "DenseNet", "SENet", "ShuffleNet", "MobileNet"}
    assert lecture <= families, lecture - families


@pytest.mark.slow
def test_best_zoo_model_reaches_99_6(mnist_test: Digits) -> None:
    best = max(DIGIT_ZOO, key=lambda name: measured_accuracy(name, mnist_test))
    assert measured_accuracy(best, mnist_test) >= 0.996, {n: round(a, 4) for n, a in _measured.items()}


def _modules(name: str) -> list[torch.nn.Module]:
    return list(get_spec(name).build().modules())


def test_googlenet_blocks_concatenate_four_paths() -> None:
    from viz_app.models.zoo.googlenet import Inception

    model = get_spec("googlenet").build().eval()
    blocks = [m for m in model.modules() if isinstance(m, Inception)]
    assert len(blocks) >= 3
    block = model.inception4a
    kernels = [[m.kernel_size for m in path.modules() if isinstance(m, torch.nn.Conv2d)] for path in
               (block.branch1, block.branch3, block.branch5, block.branch_pool)]  # fmt: skip
    assert kernels == [[(1, 1)], [(1, 1), (3, 3)], [(1, 1), (5, 5)], [(1, 1)]]
    x = torch.randn(2, 40, 8, 8)
    with torch.inference_mode():
        parts = [block.branch1(x), block.branch3(x), block.branch5(x), block.branch_pool(x)]
        torch.testing.assert_close(block(x), torch.cat(parts, dim=1))


def test_resnext_uses_grouped_convolutions() -> None:
    from viz_app.models.zoo.resnext import CARDINALITY

    grouped = [m for m in _modules("resnext") if isinstance(m, torch.nn.Conv2d) and m.groups > 1]
    assert len(grouped) == 3 and all(m.groups == CARDINALITY and m.kernel_size == (3, 3) for m in grouped)


def test_densenet_layers_read_every_earlier_map() -> None:
    model = get_spec("densenet").build().eval()
    block = model.dense1
    x = torch.randn(2, 16, 16, 16)
    with torch.inference_mode():
        out = block(x)
    layers = list(block.children())
    growth = layers[0].conv2.out_channels
    assert out.shape[1] == 16 + len(layers) * growth
    torch.testing.assert_close(out[:, :16], x)  # the block's input passes through, concatenated
    assert [layer.norm1.num_features for layer in layers] == [16 + i * growth for i in range(len(layers))]
    assert any(isinstance(m, torch.nn.AvgPool2d) for m in model.transition1.modules())


def test_shufflenet_shuffles_between_group_convolutions() -> None:
    from torchvision.models.shufflenetv2 import channel_shuffle

    from viz_app.models.zoo.shufflenet import GROUPS

    model = get_spec("shufflenet").build().eval()
    unit = model.stage3[1]
    assert unit.compress[0].groups == GROUPS and unit.expand[0].groups == GROUPS
    assert unit.depthwise[0].groups == unit.depthwise[0].in_channels  # depthwise 3x3
    x = torch.randn(1, 128, 8, 8)
    with torch.inference_mode():
        compressed = unit.compress(x)
        expected = unit.relu(x + unit.expand(unit.depthwise(channel_shuffle(compressed, GROUPS))))
        torch.testing.assert_close(unit(x), expected)
    # Without the shuffle every output group would see one input group only.
    assert not torch.allclose(channel_shuffle(compressed, GROUPS), compressed)


def test_vgg_and_its_batchnorm_variant_share_the_block_list() -> None:
    from viz_app.models.zoo.vgg import VGG_CONFIG

    plain, bn = get_spec("vgg").build(), get_spec("vgg_bn").build()
    convs = [[m.out_channels for m in model.modules() if isinstance(m, torch.nn.Conv2d)] for model in (plain, bn)]
    assert convs[0] == convs[1] == [c for c in VGG_CONFIG if c != "M"]
    assert all(m.kernel_size == (3, 3) and m.padding == (1, 1) for m in plain.modules() if isinstance(m, torch.nn.Conv2d))
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in plain.modules())
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in bn.modules()) == len(convs[1])
