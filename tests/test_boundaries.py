"""The architecture's import rules, checked: a Qt-free core, and a window that never sees torch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "viz_app"
QT = ("PySide6", "pyqtgraph", "shiboken6")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
            if node.module == "viz_app":
                names |= {f"viz_app.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("layer", ["models", "probe", "sources", "training"])
def test_core_never_imports_qt(layer):
    offenders = {str(p.relative_to(PACKAGE)): sorted(_imports(p) & set(QT)) for p in (PACKAGE / layer).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_ui_never_imports_torch():
    offenders = {str(p.relative_to(PACKAGE)): sorted(_imports(p) & {"torch", "torchvision"}) for p in (PACKAGE / "ui").rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_opencv_only_through_the_guard():
    direct = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "cv2" in _imports(p) and p.name != "opencv.py"]
    assert direct == []


def test_importing_the_whole_ui_loads_no_torch():
    modules = sorted(
        "viz_app." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for p in (PACKAGE / "ui").rglob("*.py")
        if p.name != "__init__.py"
    )
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchvision')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_weights_are_only_loaded_safely():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "load" and getattr(node.func.value, "id", None) == "torch":
                keywords = {k.arg: k.value for k in node.keywords}
                assert "weights_only" in keywords and getattr(keywords["weights_only"], "value", None) is True, f"{path}:{node.lineno}"
