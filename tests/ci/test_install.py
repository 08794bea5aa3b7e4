"""CI's installer (.ci/install.py): a lock that lacks a package, pins a release that does not
exist, carries a wrong hash or contradicts itself stops the run with one line naming the package.

pip itself runs here, offline, on small wheels the test writes (no index, no network)."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("ci_install", ROOT / ".ci" / "install.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


install = _load()


def _wheel(folder: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> str:
    """A pure-Python wheel of ``name`` that needs ``requires``; its sha256."""
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": "",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires),
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()},{len(text)}\n"
        for path, text in files.items()
    )
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
        archive.writestr(f"{dist}/RECORD", record + f"{dist}/RECORD,,\n")
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A folder of wheels: alpha needs beta>=1, gamma needs beta>=2; their hashes."""
    folder = tmp_path_factory.mktemp("wheels")
    hashes = {
        "alpha": _wheel(folder, "alpha", "1.0", ("beta>=1",)),
        "beta": _wheel(folder, "beta", "1.0"),
        "gamma": _wheel(folder, "gamma", "1.0", ("beta>=2",)),
    }
    return folder, hashes


LOCKS = {
    "a dependency left out": ("alpha==1.0 --hash=sha256:{alpha}\n", "the lock has no entry for beta (needed by alpha==1.0): regenerate it with .ci/lock"),
    "a release that does not exist": ("alpha==9.9 --hash=sha256:{alpha}\nbeta==1.0 --hash=sha256:{beta}\n", "no release of alpha==9.9 can be installed"),
    "a wrong hash": ("alpha==1.0 --hash=sha256:" + "0" * 64 + "\nbeta==1.0 --hash=sha256:{beta}\n", "alpha==1.0 does not match its hash in the lock"),
    "pins that contradict each other": ("gamma==1.0 --hash=sha256:{gamma}\nbeta==1.0 --hash=sha256:{beta}\n", "conflicting requirements for beta:"),
}


@pytest.mark.parametrize("lock, said", list(LOCKS.values()), ids=list(LOCKS))
def test_a_bad_lock_is_one_line_naming_the_package(index, tmp_path: Path, monkeypatch, capsys, lock: str, said: str) -> None:
    folder, hashes = index
    path = tmp_path / "requirements.lock"
    path.write_text(lock.format(**hashes))
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # this machine's pip settings (extra indexes) stay out
    monkeypatch.setattr(install, "LOGS", tmp_path / "logs")
    with pytest.raises(install.InstallError) as failed:
        install.pip("lock", "install", "--dry-run", "--no-index", "--find-links", str(folder), "--target", str(tmp_path / "t"),
                    "--require-hashes", "-r", str(path))  # fmt: skip
    message = str(failed.value)
    assert "\n" not in message and said in message, message
    assert (tmp_path / "logs" / "pip-lock.log").is_file() and "full output: " in message


def test_the_command_exits_1_with_that_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    code = (
        "import sys, importlib.util as u\n"
        f"s = u.spec_from_file_location('i', {str(ROOT / '.ci' / 'install.py')!r}); m = u.module_from_spec(s); s.loader.exec_module(m)\n"
        f"m.LOCK = __import__('pathlib').Path({str(tmp_path / 'none.lock')!r})\n"
        "sys.exit(m.main(['lock']))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("ci: lock:") and "is missing: regenerate it with .ci/lock" in out.stderr


@pytest.mark.parametrize(
    "output, said",
    [
        ("cnn-viz 0.1.0 requires rich, which is not installed.\n", "the lock has no entry for rich (needed by cnn-viz): regenerate it with .ci/lock"),
        ("import-linter 2.17 has requirement grimp>=3.20, but you have grimp 3.1.\n", "import-linter needs grimp>=3.20 but grimp 3.1 is installed"),
        ("Collecting x\nERROR: something pip says\n", "something pip says"),
    ],
)
def test_pip_checks_findings_are_one_line(output: str, said: str) -> None:
    assert said in install.one_line(output) and "\n" not in install.one_line(output)


def test_the_lock_pins_every_package_with_its_hashes() -> None:
    lines = (ROOT / ".ci" / "requirements.lock").read_text().splitlines()
    pins = [line for line in lines if line and not line.startswith((" ", "#"))]
    assert pins and all("==" in line and line.rstrip().endswith("\\") for line in pins), [p for p in pins if "==" not in p]
    names = {install._name(line) for line in pins}
    assert {"torch", "torchvision", "pyside6", "opencv-python", "numpy", "hatchling", "pytest", "ruff", "mypy", "import-linter"} <= names
