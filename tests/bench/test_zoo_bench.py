"""The model-zoo chart: timing on this machine, accuracy from the cards, the chart panel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import torch
from torch import nn

from viz_app.bench import zoo as zoo_bench
from viz_app.models import get_spec
from viz_app.models import throughput as timing
from viz_app.models.loader import default_weights_path
from viz_app.models.registry import ModelSpec
from viz_app.models.weights import read_card
from viz_app.records.costs import ZooRow
from viz_app.ui.panels.zoo_chart import MAX_DOT, MIN_DOT, ZooChartPanel, dot_sizes


class Sleeper(nn.Module):
    """Takes a known time per call, whatever the batch."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(self.seconds)
        return x.flatten(1)[:, :10] * self.scale


def test_time_model_measures_throughput_and_latency() -> None:
    throughput, latency_ms = timing.time_model(Sleeper(0.02), (1, 8, 8), torch.device("cpu"), batch=16, runs=3)
    # A call takes at least its 20 ms (a busy machine adds to it, never takes from it).
    assert latency_ms >= 19
    assert 0 < throughput <= 16 / 0.019


def test_a_zoo_row_takes_accuracy_from_the_card_and_counts_parameters() -> None:
    spec = get_spec("lenet5")
    card = read_card(default_weights_path(spec))
    row = timing.measure_spec(spec, torch.device("cpu"), batch=8, runs=2)
    assert row.accuracy == card["test_accuracy"] and row.accuracy > 0.98
    assert row.params == 61_706 and row.param_bytes == 4 * 61_706 and row.macs == 416_520
    assert row.throughput > 0 and row.latency_ms > 0 and row.batch == 8 and row.device.startswith("CPU")


def test_run_zoo_bench_json_lists_every_zoo_model(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    untrained = ModelSpec(name="tiny", title="Tiny", builder=lambda: nn.Sequential(nn.Flatten(), nn.Linear(1024, 10)))
    monkeypatch.setattr(timing, "specs_in_group", lambda group: [get_spec("lenet5"), untrained])
    assert zoo_bench.run_zoo_bench("cpu", True, runs=2, batch=4) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == ["lenet5", "tiny"]
    assert rows[0]["accuracy"] > 0.98 and rows[1]["accuracy"] is None and rows[1]["params"] == 10_250
    assert zoo_bench.run_zoo_bench("cpu", False, runs=2, batch=4) == 0
    out = capsys.readouterr().out
    assert "untrained" in out and "lenet5" in out and "images/s" in out
    assert zoo_bench.run_zoo_bench("tpu", True) == 2
    assert "unknown device 'tpu'" in capsys.readouterr().err


def _row(name: str, accuracy: float | None, throughput: float, param_bytes: int) -> ZooRow:
    return ZooRow(name, name.upper(), accuracy, throughput, 1000 / throughput, param_bytes // 4, param_bytes, device="CPU (2 threads)")


def test_dot_area_follows_parameter_memory() -> None:
    sizes = dot_sizes([400, 1600, 0])
    assert sizes[1] == MAX_DOT and sizes[0] == pytest.approx(MAX_DOT / 2) and sizes[2] == MIN_DOT


def test_chart_plots_trained_models_and_names_the_untrained(qtbot) -> None:  # noqa: ANN001
    panel = ZooChartPanel()
    qtbot.addWidget(panel)
    panel.set_rows([_row("vgg", 0.995, 2000.0, 800_000), _row("mobilenet", 0.994, 9000.0, 150_000), _row("shufflenet", None, 5000.0, 200_000)])
    points = panel.scatter.points()
    assert len(points) == 2 and [label.toPlainText() for label in panel.labels] == ["vgg", "mobilenet"]
    assert points[0].pos().x() == pytest.approx(3.30103, abs=1e-4) and points[0].pos().y() == pytest.approx(99.5)
    assert points[0].size() > points[1].size()
    assert "shufflenet" in panel.note.text() and "CPU (2 threads)" in panel.note.text()
    panel.set_rows([_row("vgg", 0.995, 2000.0, 800_000)])
    assert len(panel.scatter.points()) == 1 and len(panel.labels) == 1
    with qtbot.waitSignal(panel.measure_requested, timeout=20_000):
        panel.measure_button.click()


def test_cost_panels_and_records_do_not_import_torch() -> None:
    code = (
        "import sys, viz_app.records.costs, viz_app.ui.panels.zoo_chart, viz_app.ui.panels.summary, viz_app.ui.layer_picker;"
        "print('torch' in sys.modules)"
    )
    env = {"QT_QPA_PLATFORM": "offscreen", **os.environ}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False"


def test_an_unmeasured_chart_says_so(qtbot) -> None:  # noqa: ANN001
    panel = ZooChartPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert panel.empty_text.isVisible() and panel.note.text().startswith("Not measured yet")
    panel.set_rows([_row("vgg", 0.995, 2000.0, 800_000)])
    assert not panel.empty_text.isVisible()


def test_names_of_close_models_do_not_overlap(qtbot) -> None:  # noqa: ANN001
    """Fourteen models within a few tenths of a percent and a factor of two in speed: their names
    go above or below their dots, or wait in the tool tip, but never run into each other."""
    panel = ZooChartPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 300)
    panel.show()
    qtbot.waitExposed(panel)
    rows = [_row(f"model_{i}", 0.990 + 0.0005 * (i % 5), 2000.0 * (1 + i / 14), 100_000 * (1 + i)) for i in range(14)]
    panel.set_rows(rows)
    qtbot.wait(50)
    shown = [label.mapRectToScene(label.boundingRect()) for label in panel.labels if label.isVisible()]
    assert len(shown) >= 3
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert not a.intersects(b), (a, b)
