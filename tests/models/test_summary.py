"""The cost table: parameters and multiply-accumulates of any module, the CLI function, its panel and the layer picker."""

from __future__ import annotations

import argparse
import json

import pytest
import torch
from PySide6.QtCore import Qt
from torch import nn
from torchvision.models import get_model, get_weight

from viz_app.models import get_spec
from viz_app.models.summary import format_table, layer_choices, parse_shape, run_summary, summarize, summarize_registered
from viz_app.ui.layer_picker import LayerPicker
from viz_app.ui.panels.summary import SummaryPanel


def test_resnet18_has_the_lectures_11_69m_parameters_and_1_81g_macs() -> None:
    s = summarize(get_model("resnet18", weights=None).eval(), (1, 3, 224, 224))
    assert s.total_params == 11_689_512 and round(s.total_params / 1e6, 2) == 11.69
    assert round(s.total_macs / 1e9, 2) == 1.81
    assert s.param_bytes == 4 * s.total_params
    rows = {r.path: r for r in s.rows}
    assert rows["conv1"].output_shape == "1x64x112x112"
    assert rows["conv1"].macs == 64 * 112 * 112 * 3 * 7 * 7  # C_out x H x W x C_in x k x k
    assert rows["fc"].macs == 512 * 1000 and rows["fc"].params == 513_000
    assert rows["layer1.0.relu"].calls == 2  # the reused ReLU is seen as such
    # The children's figures add up to the model's.
    top = s.at_depth(1)
    assert sum(r.params for r in top) == s.total_params and sum(r.macs for r in top) == s.total_macs


def test_lenet5_figures() -> None:
    s = summarize_registered("lenet5")
    assert s.total_params == 61_706 and s.input_shape == (1, 1, 32, 32)
    rows = {r.path: r for r in s.rows}
    assert rows["c1"].output_shape == "1x6x28x28" and rows["c1"].macs == 6 * 28 * 28 * 25
    assert rows["c5"].output_shape == "1x120x1x1" and rows["output"].params == 850


def test_lenet5_1998_has_about_60000_parameters() -> None:
    s = summarize_registered("lenet5_1998")
    assert 58_000 <= s.total_params <= 62_000


@pytest.mark.parametrize("name", ["imagenet_googlenet", "imagenet_mobilenet_v3_large"])
def test_imagenet_figures_match_torchvisions_published_ones(name: str) -> None:
    spec = get_spec(name)
    meta = get_weight(spec.weights.transforms).meta
    s = summarize_registered(name)
    assert s.total_params == meta["num_params"]
    assert round(s.total_macs / 1e9, 3) == pytest.approx(meta["_ops"], abs=1e-3)  # torchvision's "GFLOPS" are MACs


class TwoHeads(nn.Module):
    """Any module: a dict input path, a reused layer and a tuple output."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.shared = nn.Linear(10, 10, bias=False)
        self.unused = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        y = self.conv(x)  # N x 8 x H-2 x W-2
        z = self.shared(self.shared(y[:, 0, 0, :10]))
        return y, z


def test_any_module_and_input_shape() -> None:
    s = summarize(TwoHeads(), (2, 3, 12, 20), "two heads")
    rows = {r.path: r for r in s.rows}
    assert rows["conv"].output_shape == "2x8x10x18" and rows["conv"].macs == 2 * 8 * 10 * 18 * 27
    assert rows["shared"].calls == 2 and rows["shared"].macs == 2 * (2 * 10 * 10)
    assert rows["unused"].calls == 0 and rows["unused"].output_shape == "-" and rows["unused"].params == 20
    assert s.total_macs == rows["conv"].macs + rows["shared"].macs
    assert "two heads" in format_table(s) and "(x2)" in format_table(s)
    with pytest.raises(ValueError, match=r"cannot take an input of shape \(1, 1, 32, 32\)"):
        summarize(TwoHeads(), (1, 1, 32, 32))


def test_run_summary_prints_a_table_or_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_summary(argparse.Namespace(name="lenet5", json=True, depth=1, input=None)) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == 61_706 and [layer["path"] for layer in data["layers"]] == ["c1", "s2", "c3", "s4", "c5", "f6", "output"]
    assert run_summary(argparse.Namespace(name="imagenet_resnet18", json=False, depth=1, input="3x64x64")) == 0
    out = capsys.readouterr().out
    assert "input 1x3x64x64" in out and "Total parameters: 11,689,512" in out and "1x512x2x2" in out
    # LeNet-5's dense F6 takes only C5's 120 values: a 64x64 input is refused with the reason.
    assert run_summary(argparse.Namespace(name="lenet5", json=False, depth=None, input="1x64x64")) == 2
    assert "cannot take an input of shape (1, 1, 64, 64)" in capsys.readouterr().err
    assert run_summary(argparse.Namespace(name="no_such_net", json=False, depth=None, input=None)) == 2
    assert "unknown model" in capsys.readouterr().err
    assert run_summary(argparse.Namespace(name="lenet5", json=False, depth=None, input="3x4")) == 2
    assert "not like 3x224x224" in capsys.readouterr().err
    assert parse_shape("3x224x224") == (1, 3, 224, 224)


def test_summary_panel_folds_to_a_depth(qtbot) -> None:  # noqa: ANN001
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    s = summarize(get_model("resnet18", weights=None).eval(), (1, 3, 224, 224), "resnet18")
    panel.show_summary(s)
    assert panel.table.rowCount() == len(s.at_depth(2))
    panel.depth.setValue(1)
    assert [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())][:4] == ["conv1", "bn1", "relu", "maxpool"]
    assert panel.table.item(0, 3).text() == "9,408"
    panel.depth.setValue(0)  # all
    assert panel.table.rowCount() == len(s.rows)
    assert "11,689,512 parameters" in panel.totals.text() and "1.81G" in panel.totals.text()


def test_layer_picker_offers_hookable_layers_and_emits_the_choice(qtbot) -> None:  # noqa: ANN001
    spec = get_spec("imagenet_resnet18")
    choices = layer_choices(summarize_registered(spec.name), spec.layers)
    paths = [p for p, _ in choices]
    assert "layer1.0.relu" not in paths and "layer1.0.conv1" in paths  # reused ReLU left out
    assert all(p in paths for p, _ in spec.layers)
    picker = LayerPicker()
    qtbot.addWidget(picker)
    picker.set_layers(choices, [p for p, _ in spec.layers])
    assert picker.chosen() == [p for p, _ in spec.layers]
    with qtbot.waitSignal(picker.layers_chosen, timeout=20_000) as blocker:
        picker.none_button.click()
    assert blocker.args == [[]]
    with qtbot.waitSignal(picker.layers_chosen, timeout=20_000) as blocker:
        picker.list.item(paths.index("layer2.0.conv1")).setCheckState(Qt.CheckState.Checked)
        picker.list.item(paths.index("conv1")).setCheckState(Qt.CheckState.Checked)
    assert blocker.args == [["conv1", "layer2.0.conv1"]]  # forward order, one signal for both
    with qtbot.waitSignal(picker.layers_chosen, timeout=20_000) as blocker:
        picker.defaults_button.click()
    assert blocker.args == [[p for p, _ in spec.layers]]
    picker.filter.setText("layer3.1")
    visible = [picker.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(picker.list.count()) if not picker.list.item(i).isHidden()]
    assert visible and all(v.startswith("layer3.1") for v in visible)


def test_summary_all_gives_one_line_per_registered_model(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from viz_app.models import registry

    monkeypatch.setattr(registry, "list_specs", lambda: [get_spec("lenet5"), get_spec("imagenet_shufflenet_v2_x1_0")])
    assert run_summary(argparse.Namespace(name="all", json=True, depth=None, input=None)) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["model"], d["group"], d["total_params"]) for d in data] == [
        ("lenet5", "MNIST zoo", 61_706),
        ("imagenet_shufflenet_v2_x1_0", "ImageNet", 2_278_604),
    ]
    assert data[1]["input_shape"] == [1, 3, 224, 224] and data[1]["layers"] == []
    assert run_summary(argparse.Namespace(name="all", json=False, depth=None, input=None)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and "61,706" in lines[2] and "2,278,604" in lines[3]


def test_a_narrow_cost_table_shows_whole_columns(qtbot) -> None:  # noqa: ANN001
    """In a side tab at 1024x768 (about 270 px) the table showed a column and a half: now the layer, its
    parameters and its MACs show whole, and what is put away stays in each row's tool tip."""
    panel = SummaryPanel()
    qtbot.addWidget(panel)
    panel.resize(270, 400)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_summary(summarize(get_model("resnet18", weights=None).eval(), (1, 3, 224, 224), "resnet18"))
    table = panel.table
    shown = [c for c in range(table.columnCount()) if not table.isColumnHidden(c)]
    assert {0, 3, 4} <= set(shown) and len(shown) < table.columnCount()
    assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width() + 1
    assert "Type: Conv2d" in table.item(0, 0).toolTip()
    panel.resize(900, 400)
    qtbot.waitUntil(lambda: not any(table.isColumnHidden(c) for c in range(table.columnCount())), timeout=5_000)
