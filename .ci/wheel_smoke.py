"""CI's wheel check: the project as a user installs it, away from the checkout.

    python .ci/wheel_smoke.py [--latest]

Builds the wheel, installs it into a fresh virtual environment in a temporary folder (at the
lock's versions; with --latest at the newest releases, as `pip install` gives a user), and from
there, in a temporary working folder with a fresh home, runs what a new user runs first:
`cnn-viz --help`, `eval lenet5` (the shipped weights reach their card's accuracy on the real MNIST
test set), `predict` and `read` on digits written as image files, `summary`, and the window
started offscreen up to its first frame (`bench --startup`). Each check prints one line; the
first that fails stops the run with one line and exit 1. Standard library only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from install import LOCK, ROOT, InstallError, pip  # noqa: E402 - CI's installer, beside this file

DIGITS = 5  # the first test digits (7, 2, 1, 0, 4) as files, then as one string
WRITE_INPUTS = """
import json, sys
import numpy as np
from viz_app.opencv import cv2
from viz_app.training.mnist import load_split
test = load_split("test", sys.argv[1])
n = int(sys.argv[2])
for i in range(n):
    cv2.imwrite(f"digit{i}.png", 255 - test.images[i])  # dark ink on light paper, as a scan
strip = np.pad(np.hstack([test.images[i] for i in range(n)]), 10)
cv2.imwrite("string.png", 255 - strip)
print(json.dumps([int(v) for v in test.labels[:n]]))
"""
WHERE = """
import json, viz_app, viz_app.paths as p
print(json.dumps({"package": viz_app.__file__, "assets": str(p.assets_dir()), "resources": str(p.resources_dir())}))
"""


class SmokeError(Exception):
    """A check that failed, in one line."""


def _constraints(lock: Path, out: Path) -> Path:
    """The lock's pins without their hashes: constraints for installing the wheel at the lock's versions."""
    pins = [line.rstrip(" \\") for line in lock.read_text(encoding="utf-8").splitlines() if line and not line.startswith((" ", "#"))]
    out.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return out


def build_and_install(tmp: Path, latest: bool) -> Path:
    """The wheel built from the checkout and installed into a fresh venv under ``tmp``; the venv's bin folder."""
    dist = tmp / "dist"
    isolation = [] if latest else ["--no-build-isolation"]  # the lock's hatchling, or the newest one
    pip("wheel", "wheel", "--no-deps", *isolation, "-w", str(dist), str(ROOT))
    wheel = next(dist.glob("cnn_viz-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True)
    bin_dir = tmp / "venv" / ("Scripts" if os.name == "nt" else "bin")
    python = str(bin_dir / "python")
    pins = [] if latest else ["--constraint", str(_constraints(LOCK, tmp / "constraints.txt"))]
    pip("wheel-install", "install", *pins, str(wheel), python=python)
    return bin_dir


def _run(bin_dir: Path, cwd: Path, env: dict, *args: str, timeout: float = 600) -> str:
    """Run one of the venv's programs; its stdout, or SmokeError with the end of its stderr."""
    out = subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        tail = " ".join(out.stderr.strip().splitlines()[-2:])
        raise SmokeError(f"`{' '.join(args)}` exited with status {out.returncode}: {tail}")
    return out.stdout


def check(bin_dir: Path, work: Path, mnist: Path) -> list[str]:
    """Every check, in order; a line for each."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CNN_VIZ_ASSETS", "DISPLAY", "VIRTUAL_ENV")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", HOME=str(work / "home"), XDG_CONFIG_HOME=str(work / "config"),
               XDG_CACHE_HOME=str(work / "cache"), QT_QPA_PLATFORM="offscreen", CNN_VIZ_DATA=str(mnist))  # fmt: skip
    said = []
    where = json.loads(_run(bin_dir, work, env, "python", "-c", WHERE))
    venv = bin_dir.parent.resolve()
    for key in ("package", "assets", "resources"):
        if not Path(where[key]).resolve().is_relative_to(venv):
            raise SmokeError(f"{key} comes from {where[key]}, not from the installed wheel in {venv}")
    assets, resources = Path(where["assets"]), Path(where["resources"])
    shipped = [assets / "lenet5.pt", assets / "lenet5.json", assets / "lenet5.units.npz", assets / "sdnn.pt", resources / "icon.svg", resources / "style.qss"]
    missing = [p.name for p in shipped if not p.is_file()]
    if missing:
        raise SmokeError(f"the wheel lacks {', '.join(missing)}")
    said.append(f"installed: viz_app, its weights, cards, unit indexes and resources come from {venv}")
    if "usage: cnn-viz" not in _run(bin_dir, work, env, "cnn-viz", "--help"):
        raise SmokeError("`cnn-viz --help` printed no usage")
    said.append("cnn-viz --help: usage printed")
    report = json.loads(_run(bin_dir, work, env, "cnn-viz", "eval", "lenet5", "--json"))
    card = json.loads((assets / "lenet5.json").read_text(encoding="utf-8"))
    if report["n"] != 10_000 or abs(report["accuracy"] - card["test_accuracy"]) > 1e-9:
        raise SmokeError(f"eval lenet5 gave {report['accuracy']:.2%} on {report['n']} digits, its card says {card['test_accuracy']:.2%}")
    said.append(f"eval lenet5: {report['accuracy']:.2%} on the 10,000 MNIST test digits ({report['errors']} errors), as its card says")
    labels = json.loads(_run(bin_dir, work, env, "python", "-c", WRITE_INPUTS, str(mnist), str(DIGITS)))
    files = [f"digit{i}.png" for i in range(DIGITS)]
    answers = [json.loads(line)["prediction"] for line in _run(bin_dir, work, env, "cnn-viz", "predict", "lenet5", *files, "--json").splitlines()]
    if answers != [str(v) for v in labels]:
        raise SmokeError(f"predict read {answers} from the files of test digits {labels}")
    said.append(f"predict lenet5: {' '.join(answers)} from {DIGITS} image files, as labelled")
    text = json.loads(_run(bin_dir, work, env, "cnn-viz", "read", "string.png", "--json"))["text"]
    if text != "".join(map(str, labels)):
        raise SmokeError(f"read gave {text!r} for the string {''.join(map(str, labels))}")
    said.append(f"read: {text!r} from one image of {DIGITS} digits")
    summary = json.loads(_run(bin_dir, work, env, "cnn-viz", "summary", "lenet5", "--json"))
    if summary["total_params"] != card.get("parameters", summary["total_params"]) or summary["total_params"] <= 0:
        raise SmokeError(f"summary lenet5 counted {summary['total_params']} parameters")
    said.append(f"summary lenet5: {summary['total_params']:,} parameters, {summary['total_macs']:,} multiply-accumulates")
    start = json.loads(_run(bin_dir, work, env, "cnn-viz", "bench", "--startup", "--runs", "1", "--device", "cpu", "--json"))
    said.append(f"the window (offscreen) showed its first frame {start['median_s']:.2f} s after the process started")
    return said


def main(argv: list[str]) -> int:
    latest = argv == ["--latest"]
    if argv and not latest:
        print("usage: python .ci/wheel_smoke.py [--latest]", file=sys.stderr)
        return 2
    mnist = Path(os.environ.get("CNN_VIZ_DATA") or ROOT.parent / "shared" / "data" / "mnist")
    tmp = Path(tempfile.mkdtemp(prefix="cnn-viz-wheel-"))
    try:
        bin_dir = build_and_install(tmp, latest)
        (tmp / "work").mkdir()
        for line in check(bin_dir, tmp / "work", mnist):
            print(f"wheel: {line}")
    except (InstallError, SmokeError, subprocess.TimeoutExpired) as exc:
        print(f"ci: wheel smoke: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
