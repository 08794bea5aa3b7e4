"""A unit's arithmetic (``viz_app.probe.arithmetic``, `cnn-viz explain`) agrees with the network.

For 100 random units of every kind of layer (convolution, grouped or depthwise convolution,
linear, max and average pooling) of every MNIST-zoo model, three ImageNet models (random
weights, built offline) and a user's .py model: the partial sums plus the bias equal the layer's
output at the unit, hooked here independently of the code under test, to 1e-5 of the size of
the terms in fp32; what follows the layer (BatchNorm, activation) ends at the model's own value.
`cnn-viz explain --json` prints the same numbers; a layer it cannot explain and a unit outside the
map each end in one line and exit 2.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from own_models import write_net
from torch import nn

from viz_app.cli import main
from viz_app.models import get_spec, list_specs, load_model
from viz_app.models.inputs import digits_to_tensor
from viz_app.models.user_model import ModelOptions, open_spec
from viz_app.probe.arithmetic import NotExplained, explain, explainable, resolve_layer

UNITS = 100  # per kind of layer, per model
TOLERANCE = 1e-5
ZOO = [s.name for s in list_specs() if s.group == "MNIST zoo"]
IMAGENET = ["imagenet_resnet18", "imagenet_mobilenet_v3_large", "imagenet_resnext50_32x4d"]


def kind(module: nn.Module) -> str:
    if isinstance(module, nn.Conv2d):
        return "depthwise" if module.groups == module.in_channels > 1 else "grouped" if module.groups > 1 else "conv"
    return type(module).__name__


def hooked_outputs(model: nn.Module, x: torch.Tensor, layers: list[str]) -> dict[str, torch.Tensor]:
    """Each layer's output (first call), from hooks of this test's own."""
    modules = dict(model.named_modules())
    seen: dict[str, torch.Tensor] = {}

    def keep(name: str):  # noqa: ANN202
        def hook(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:  # None: the output stays the module's own
            if name not in seen:
                seen[name] = output.detach().clone()  # before an in-place activation rewrites it

        return hook

    handles = [modules[n].register_forward_hook(keep(n)) for n in layers]
    with torch.no_grad():
        model.eval()
        model(x)
    for handle in handles:
        handle.remove()
    return seen


def check_model(model: nn.Module, x: torch.Tensor, seed: int = 0) -> set[str]:
    """100 random units of each kind of layer of ``model`` on ``x``; the kinds checked."""
    rng = random.Random(seed)
    layers = [n for n, m in model.named_modules() if n and explainable(m)]
    by_kind: dict[str, list[str]] = {}
    modules = dict(model.named_modules())
    for name in layers:
        by_kind.setdefault(kind(modules[name]), []).append(name)
    outputs = hooked_outputs(model, x, layers)
    for names in by_kind.values():
        names = [n for n in names if n in outputs][:8]  # a deep network: the first eight of the kind
        picks: dict[str, list[tuple[int, ...]]] = {}
        for i in range(UNITS):
            name = names[i % len(names)]
            shape = outputs[name].shape[1:]
            picks.setdefault(name, []).append(tuple(rng.randrange(s) for s in shape))
        for name, units in picks.items():
            for unit, arithmetic in zip(units, explain(model, x, name, units), strict=True):
                truth = float(outputs[name][(0, *unit)])
                scale = max(abs(truth), sum(float(np.abs(t.products).sum()) for t in arithmetic.terms), abs(arithmetic.bias), 1e-12)
                assert abs(arithmetic.pre_activation - truth) <= TOLERANCE * scale, (name, unit, arithmetic.pre_activation, truth)
                assert arithmetic.hooked == truth
    return set(by_kind)


@pytest.mark.parametrize("name", ZOO)
def test_every_zoo_model(name: str, mnist_test) -> None:
    loaded = load_model(name, "cpu")
    x = digits_to_tensor(mnist_test.images[:1], loaded.spec)
    kinds = check_model(loaded.model, x)
    assert "conv" in kinds or "grouped" in kinds


@pytest.mark.parametrize("name", IMAGENET)
def test_imagenet_models(name: str) -> None:
    torch.manual_seed(0)
    model = get_spec(name).build()  # random weights: built offline, the arithmetic is the same
    x = torch.randn(1, 3, 224, 224)
    kinds = check_model(model, x)
    expected = {"imagenet_mobilenet_v3_large": "depthwise", "imagenet_resnext50_32x4d": "grouped"}.get(name, "MaxPool2d")
    assert expected in kinds and "Linear" in kinds


def test_a_users_own_model(tmp_path: Path) -> None:
    spec = open_spec(f"{write_net(tmp_path)}:build", ModelOptions(input="1x28x28"))
    model = spec.build()
    kinds = check_model(model, torch.randn(1, 1, 28, 28))
    assert kinds == {"conv", "MaxPool2d", "Linear"}


def test_what_follows_the_layer_ends_at_the_models_own_value(mnist_test) -> None:
    loaded = load_model("vgg_bn", "cpu")
    x = digits_to_tensor(mnist_test.images[:1], loaded.spec)
    (unit,) = explain(loaded.model, x, "features.0.0", [(3, 10, 12)])
    assert [a.what for a in unit.after] == ["BatchNorm2d", "ReLU"]
    block = dict(loaded.model.named_modules())["features.0"]
    relu_out = hooked_outputs(loaded.model, x, ["features.0.2"])["features.0.2"]
    assert unit.value == pytest.approx(float(relu_out[0, 3, 10, 12]), abs=1e-6) and unit.value >= 0
    assert isinstance(block, nn.Sequential)


def test_padding_is_drawn_as_zeros_and_the_group_is_the_units(mnist_test) -> None:
    loaded = load_model("mobilenet", "cpu")
    x = digits_to_tensor(mnist_test.images[:1], loaded.spec)
    conv = dict(loaded.model.named_modules())["blocks.0.depthwise.0"]
    assert conv.groups == conv.in_channels > 1
    (corner,) = explain(loaded.model, x, "blocks.0.depthwise.0", [(5, 0, 0)])
    assert len(corner.terms) == 1 and corner.terms[0].channel == 5  # depthwise: its own channel only
    assert corner.origin == (-corner.padding[0], -corner.padding[2]) and corner.padding[0] > 0
    assert (corner.terms[0].patch[0] == 0).all() and (corner.terms[0].patch[:, 0] == 0).all()  # the padded zeros


def test_explain_prints_the_same_numbers(tmp_path: Path, mnist_test, capsys) -> None:
    loaded = load_model("lenet5", "cpu")
    x = digits_to_tensor(mnist_test.images[:1], loaded.spec)
    np.save(tmp_path / "x.npy", x[0].numpy())
    truth = hooked_outputs(loaded.model, x, ["c3.0", "c3.1"])
    assert resolve_layer(loaded.model, "c3") == "c3.0"  # the block: its convolution
    for unit in [(0, 0, 0), (7, 4, 5), (15, 9, 9)]:
        assert main(["explain", "lenet5", "--tensor", str(tmp_path / "x.npy"), "--layer", "c3", "--unit", ",".join(map(str, unit)), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["layer"] == "c3.0" and report["unit"] == list(unit) and len(report["contributions"]) == 6
        assert report["pre_activation"] == float(truth["c3.0"][(0, *unit)])
        total = sum(c["partial_sum"] for c in report["contributions"]) + report["bias"]
        assert total == pytest.approx(report["pre_activation"], rel=1e-5, abs=1e-5)
        assert report["value"] == pytest.approx(float(truth["c3.1"][(0, *unit)]))  # after the ReLU


def test_explain_on_an_image_file_in_words(tmp_path: Path, mnist_test, capsys) -> None:
    import cv2

    image = tmp_path / "seven.png"
    cv2.imwrite(str(image), 255 - np.kron(mnist_test.images[0], np.ones((4, 4), np.uint8)))  # dark ink on white paper
    assert main(["explain", "lenet5", str(image), "--layer", "c1", "--unit", "2,14,14"]) == 0
    text = capsys.readouterr().out
    assert "c1.0 unit 2,14,14" in text and "+ bias" in text and "then ReLU" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--layer", "c3", "--unit", "16,0,0"], "outside c3.0's output of 16x10x10"),
        (["--layer", "c3", "--unit", "0,10,0"], "outside"),
        (["--layer", "nothing", "--unit", "0,0,0"], "not a layer of this model"),
    ],
)
def test_a_unit_or_layer_that_is_not_there_is_one_line_and_exit_2(args, says, tmp_path: Path, capsys) -> None:
    np.save(tmp_path / "x.npy", np.zeros((1, 32, 32), np.float32))
    assert main(["explain", "lenet5", "--tensor", str(tmp_path / "x.npy"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_lenet5_1998_c3_reads_its_row_of_the_table_and_s2_its_block(mnist_test) -> None:
    from viz_app.models.zoo.lenet5_1998 import C3_TABLE

    loaded = load_model("lenet5_1998", "cpu")
    x = digits_to_tensor(mnist_test.images[:1], loaded.spec)
    truth = hooked_outputs(loaded.model, x, ["c3.0", "c3.1", "s2.0"])
    for c in range(16):
        (unit,) = explain(loaded.model, x, resolve_layer(loaded.model, "c3"), [(c, 4, 6)])
        assert [t.channel for t in unit.terms] == list(C3_TABLE[c]) and unit.table == C3_TABLE  # the paper's table, row c
        assert unit.error < TOLERANCE and unit.hooked == float(truth["c3.0"][0, c, 4, 6])
        assert [a.what for a in unit.after] == ["ScaledTanh"] and unit.value == pytest.approx(float(truth["c3.1"][0, c, 4, 6]))
    (s2,) = explain(loaded.model, x, "s2.0", [(2, 5, 7)])
    assert len(s2.terms) == 1 and s2.terms[0].patch.shape == (2, 2) and s2.stride == (2, 2)
    assert s2.pre_activation == pytest.approx(float(truth["s2.0"][0, 2, 5, 7]), abs=1e-5)


def test_a_custom_operation_says_why() -> None:
    class Squash(nn.Module):  # a user's own operation with a parameter, and no arithmetic to show
        def __init__(self) -> None:
            super().__init__()
            self.gain = nn.Parameter(torch.ones(1))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.tanh(self.gain * x)

    model = nn.Sequential(nn.Conv2d(1, 2, 3), Squash())
    with pytest.raises(NotExplained, match="custom or unsupported operation"):
        explain(model, torch.randn(1, 1, 8, 8), "1", [(0, 0, 0)])
    (unit,) = explain(model, torch.randn(1, 1, 8, 8), "0", [(1, 2, 3)])
    assert unit.after == ()  # its own operation is not an activation it knows: the value stops at the convolution
