"""The insight-panel registry: every line has its extra, loads a class that keeps the Panel
contract, reaches the CLI's help, and is readable without Qt."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from viz_app.probe.extras import EXTRAS
from viz_app.ui.panels.base import Panel, check_panel_class
from viz_app.ui.panels.registry import PANELS, UNIT_PANEL, PanelEntry, check_panel_key

QT = ("PySide6", "pyqtgraph", "shiboken6")


def test_the_side_tabs_in_order() -> None:
    assert {key: entry.title for key, entry in PANELS.items()} == {
        "se": "SE gates", "augment": "Augment", "unit": "Unit", "filters": "Filters", "saliency": "Looks at", "sdnn": "String",
    }  # fmt: skip


@pytest.mark.parametrize("key", list(PANELS))
def test_every_panel_has_its_extra(key: str) -> None:
    assert key in EXTRAS


@pytest.mark.parametrize("key", list(PANELS))
def test_every_panel_class_loads_and_keeps_the_contract(qtbot, key: str) -> None:
    cls = check_panel_class(PANELS[key].load())
    panel = cls()
    qtbot.addWidget(panel)
    assert isinstance(panel, Panel)
    assert panel.shown == 0
    params = panel.params()
    assert params is None or isinstance(params, dict)


def test_the_unit_panel_selects_a_clicked_unit(qtbot) -> None:
    panel = PANELS[UNIT_PANEL].load()()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.params_changed) as blocker:
        panel.select("c3", 5)
    assert blocker.args == [{"layer": "c3", "index": 5}] and panel.params() == {"layer": "c3", "index": 5}


def test_a_class_that_breaks_the_contract_is_named() -> None:
    from PySide6.QtWidgets import QWidget

    class Half(QWidget):
        def params(self) -> dict:
            return {}

    with pytest.raises(TypeError, match="lacks show_record, model_changed, params_changed"):
        check_panel_class(Half, "half")
    with pytest.raises(TypeError, match="not a QWidget"):
        check_panel_class(PanelEntry, "entry")


def test_an_unknown_key_lists_the_known_ones() -> None:
    assert check_panel_key("augment") == "augment"
    with pytest.raises(ValueError, match="no panel 'magic'; known: se, augment"):
        check_panel_key("magic")


def test_the_cli_help_lists_every_panel() -> None:
    out = subprocess.run([shutil.which("cnn-viz") or "cnn-viz", "bench", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())  # argparse wraps lines
    for key, entry in PANELS.items():
        assert f"{key} ({entry.title})" in text


def test_the_registry_and_the_cli_load_no_qt() -> None:
    code = (
        "import sys\nimport viz_app.ui.panels.registry, viz_app.cli\n"
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
