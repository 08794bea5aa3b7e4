"""The architecture's rules that a linter cannot check, and the linter's contracts run with the tests.

import-linter (contracts in pyproject.toml) checks the import graph: ui and records import no
torch, the core no Qt, only the CLI reaches the benches, the packages form layers. Here: the
contracts hold, the window really loads no torch at run time, weights load safely, OpenCV
comes through its guard, and modules and functions stay short.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "viz_app"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _top_level_imports(path: Path) -> set[str]:
    """The top-level package of every absolute import in a module (lazy imports included)."""
    names: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_import_contracts_hold() -> None:
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    out = subprocess.run([sys.executable, "-c", code, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[out.stdout.find("Broken contracts") :] or out.stdout + out.stderr


def test_opencv_only_through_the_guard() -> None:
    """viz_app/opencv.py imports cv2 before Qt starts, so cv2 cannot repoint Qt's plugin path."""
    direct = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if "cv2" in _top_level_imports(p) and p.name != "opencv.py"]
    assert direct == []


def test_importing_the_whole_ui_loads_no_torch() -> None:
    """At run time too (import-linter sees only the import statements)."""
    modules = sorted(
        "viz_app." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts) for p in (PACKAGE / "ui").rglob("*.py") if p.name != "__init__.py"
    )
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules)
    code += "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchvision')))"
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_weights_are_only_loaded_safely() -> None:
    unsafe = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "load" and getattr(node.func.value, "id", None) == "torch":
                keywords = {k.arg: k.value for k in node.keywords}
                if getattr(keywords.get("weights_only"), "value", None) is not True:
                    unsafe.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert unsafe == [], "torch.load without weights_only=True"


def test_modules_and_functions_stay_short() -> None:
    """No module over 300 lines, no function over 60 (from its ``def`` to its last line)."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(ROOT)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{where}: {lines} lines")
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    offenders.append(f"{where}:{node.lineno}: {node.name}() is {length} lines")
    assert offenders == [], "\n".join(offenders)
