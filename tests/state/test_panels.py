"""The one panel registry: every typed line names an extra and a widget that load and keep their
contracts, parameters that check themselves, capabilities instead of keys, the CLI's help, and
no Qt to read it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from viz_app.records.panels import ArithmeticParams, AugmentParams, NoParams, SaliencyParams, UnitParams
from viz_app.state.panels import FAVOURITES, PANELS, UNIT_CLICK, check_panel_key, panel_spec, params_of, with_capability
from viz_app.ui.panels.base import Panel, check_panel_class

QT = ("PySide6", "pyqtgraph", "shiboken6")


def test_the_side_tabs_in_order() -> None:
    assert {spec.key: spec.title for spec in PANELS} == {
        "se": "SE gates", "augment": "Augment", "unit": "Unit", "filters": "Filters", "saliency": "Looks at",
        "arithmetic": "Arithmetic", "sdnn": "String",
    }  # fmt: skip


@pytest.mark.parametrize("key", [spec.key for spec in PANELS])
def test_every_panel_names_an_extra_that_loads_and_a_record(key: str) -> None:
    spec = panel_spec(key)
    extra = spec.load_extra()
    assert extra.key == key and callable(extra.compute) and callable(extra.unpack) and callable(extra.close)
    module, _, name = spec.record.partition(":")
    assert name and hasattr(__import__(module, fromlist=[name]), name)


@pytest.mark.parametrize("key", [spec.key for spec in PANELS])
def test_every_panel_class_loads_keeps_the_contract_and_asks_with_its_parameters_type(qtbot, key: str) -> None:
    spec = panel_spec(key)
    panel = check_panel_class(spec.load_widget())()
    qtbot.addWidget(panel)
    assert isinstance(panel, Panel)
    assert panel.shown == 0
    params = panel.params()
    assert params is None or isinstance(params, spec.params)


def test_the_unit_and_arithmetic_panels_select_a_clicked_unit(qtbot) -> None:
    unit, arithmetic = with_capability(UNIT_CLICK)  # the Unit tab first: a click opens it unless the other is in view
    expected = {"unit": UnitParams("c3", 5), "arithmetic": ArithmeticParams("c3", 5)}
    for spec in (unit, arithmetic):
        panel = spec.load_widget()()
        qtbot.addWidget(panel)
        with qtbot.waitSignal(panel.params_changed) as blocker:
            panel.select("c3", 5)
        assert blocker.args == [expected[spec.key]] and panel.params() == expected[spec.key] and spec.model_bound
    assert unit.key == "unit" and [s.key for s in with_capability(FAVOURITES)] == ["unit"]


@pytest.mark.parametrize(
    "key, given, expected",
    [
        ("se", None, NoParams()),
        ("unit", {"layer": "c1", "index": 2}, UnitParams("c1", 2)),
        ("saliency", {"method": "gradcam"}, SaliencyParams("gradcam")),
        ("augment", {"seed": 3, "strength": {"flip": 0.5}}, AugmentParams(seed=3, strength=(("flip", 0.5),))),
        ("augment", AugmentParams(seed=1), AugmentParams(seed=1)),
    ],
)
def test_parameters_are_made_typed_from_a_mapping_or_taken_as_they_are(key, given, expected) -> None:
    assert panel_spec(key).make_params(given) == expected


@pytest.mark.parametrize(
    "key, given, said",
    [
        ("se", {"k": 1}, "has no parameter 'k'"),
        ("unit", {"layer": "c1"}, "missing 1 required"),
        ("unit", {"layer": "c1", "index": -1}, "from 0"),
        ("saliency", {"method": "magic"}, "unknown saliency method"),
        ("augment", {"names": ["sepia"]}, "unknown augmentation 'sepia'"),
        ("augment", {"strength": {"flip": 2.0}}, "from 0 to 1"),
        ("augment", {"refresh_hz": -1.0}, "0 (every frame) or more"),
        ("augment", [1, 2], "not list"),
    ],
)
def test_parameters_that_do_not_fit_are_one_line(key, given, said) -> None:
    with pytest.raises(ValueError, match=said.replace("(", r"\(").replace(")", r"\)")):
        panel_spec(key).make_params(given)


def test_a_panel_registered_in_one_line_gets_a_frozen_parameters_dataclass() -> None:
    top = params_of("TopParams", k=3)
    assert top() == top(k=3) and top(k=5).k == 5
    with pytest.raises(AttributeError):
        top().k = 4  # frozen


def test_a_class_that_breaks_the_contract_is_named() -> None:
    from PySide6.QtWidgets import QWidget

    class Half(QWidget):
        def params(self) -> dict:
            return {}

    with pytest.raises(TypeError, match="lacks show_record, model_changed, params_changed"):
        check_panel_class(Half, "half")
    with pytest.raises(TypeError, match="not a QWidget"):
        check_panel_class(NoParams, "parameters")


def test_an_unknown_key_lists_the_known_ones() -> None:
    assert check_panel_key("augment") == "augment"
    with pytest.raises(ValueError, match="no panel 'magic'; known: se, augment"):
        check_panel_key("magic")


def test_the_cli_help_lists_every_panel() -> None:
    out = subprocess.run([shutil.which("cnn-viz") or "cnn-viz", "bench", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())  # argparse wraps lines
    for spec in PANELS:
        assert f"{spec.key} ({spec.title})" in text


def test_the_registry_and_the_cli_load_no_qt() -> None:
    code = (
        "import sys\nimport viz_app.state.panels, viz_app.cli\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_cnn_viz_models_runs_where_qt_cannot_load() -> None:
    """A headless server without Qt's libraries: any import of Qt fails, `cnn-viz models` still works."""
    code = (
        "import sys\n"
        "class NoQt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] in {QT!r}: raise ImportError('no Qt here: ' + name)\n"
        "sys.meta_path.insert(0, NoQt())\n"
        "from viz_app.cli import main\n"
        "sys.exit(main(['models']))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "lenet5" in out.stdout
