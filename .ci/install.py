"""CI's installs, each ending in one clear line when it fails.

    python .ci/install.py lock     the exact versions of .ci/requirements.lock (hashes checked), then
                                   the project itself, then `pip check`
    python .ci/install.py latest   the newest releases pyproject.toml allows (what `pip install` gives a
                                   user today), then `pip check`

Run with the virtual environment's Python. pip's whole output goes to test-artefacts/pip-*.log;
on failure the run stops with one line that names the package, e.g.
``ci: the lock has no entry for rich (needed by import-linter 2.17): regenerate it with .ci/lock``.
Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / ".ci" / "requirements.lock"
LOGS = ROOT / "test-artefacts"
REGENERATE = "regenerate it with .ci/lock"


class InstallError(Exception):
    """An install that failed, said in one line."""


def one_line(output: str) -> str:
    """What went wrong in pip's ``output``, in one line that names the package."""
    lines = output.splitlines()
    text = "\n".join(lines)
    for i, line in enumerate(lines):
        if "Hashes are required in --require-hashes mode, but they are missing" in line or "all requirements must have their versions pinned" in line:
            unpinned = [x for x in lines[i + 1 :] if x.startswith("    ") and _name(x)]
            names = ", ".join(dict.fromkeys(_name(x) + _needed_by(x) for x in unpinned)) or "a dependency"
            return f"the lock has no entry for {names}: {REGENERATE}"
        if "THESE PACKAGES DO NOT MATCH THE HASHES" in line:
            bad = next((x.strip().split(" from ")[0] for x in lines[i + 1 :] if x.startswith("    ") and "==" in x), "a package")
            return f"{bad} does not match its hash in the lock (a changed file on the index, or a damaged download)"
    missing = re.findall(r"^(\S+) \S+ requires (\S+?), which is not installed\.", text, re.M)
    if missing:
        return "; ".join(f"the lock has no entry for {needed} (needed by {who})" for who, needed in missing) + f": {REGENERATE}"
    mismatched = re.findall(r"^(\S+) \S+ has requirement (\S+), but you have (\S+) (\S+)\.", text, re.M)
    if mismatched:
        return "; ".join(f"{who} needs {need} but {have} {version} is installed" for who, need, have, version in mismatched) + f": {REGENERATE}"
    found = re.search(r"No matching distribution found for (\S+)", text)
    if found:
        return f"no release of {found.group(1)} can be installed here (not on the index, or none for this Python or platform)"
    conflict = re.search(r"The conflict is caused by:\n((?:\s{4}.*\n?)+)", text)
    if conflict:
        causes = [c.strip() for c in conflict.group(1).splitlines() if c.strip()]
        package = _name(causes[0].replace("The user requested ", "")) if causes else "?"
        return f"conflicting requirements for {_conflicted(causes) or package}: {'; '.join(causes)}"
    errors = [line.removeprefix("ERROR: ").strip() for line in lines if line.startswith("ERROR:")]
    return errors[-1] if errors else (lines[-1].strip() if lines else "pip failed without a message")


def _name(requirement: str) -> str:
    """The project name at the start of a requirement line ("  rich==15.0 --hash=..." -> "rich")."""
    found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return found.group(1).lower() if found else ""


def _needed_by(line: str) -> str:
    """" (needed by alpha==1.0)" from pip's "(from alpha==1.0->-r lock (line 1))", else ""."""
    found = re.search(r"\(from ([^\s>]+?)->", line)
    return f" (needed by {found.group(1)})" if found else ""


def _conflicted(causes: list[str]) -> str:
    """The package named on the right of every "X depends on Y" cause, when they share one."""
    targets = {_name(c.split(" depends on ", 1)[1]) for c in causes if " depends on " in c}
    return targets.pop() if len(targets) == 1 else ""


def pip(label: str, *args: str, python: str = sys.executable) -> None:
    """Run ``python -m pip ARGS``; its output to test-artefacts/pip-LABEL.log; InstallError in one line on failure."""
    LOGS.mkdir(exist_ok=True)
    log = LOGS / f"pip-{label}.log"
    out = subprocess.run([python, "-m", "pip", *args], cwd=ROOT, capture_output=True, text=True)
    log.write_text(f"$ pip {' '.join(args)}\n{out.stdout}\n{out.stderr}", encoding="utf-8")
    if out.returncode != 0:
        shown = log.relative_to(ROOT) if log.is_relative_to(ROOT) else log
        raise InstallError(f"{label}: {one_line(out.stdout + chr(10) + out.stderr)} (full output: {shown})")


def install_lock(lock: Path | None = None) -> None:
    """Every pinned version, hashes checked, then the project without touching them."""
    lock = lock or LOCK
    if not lock.is_file():
        raise InstallError(f"lock: {lock} is missing: {REGENERATE}")
    pip("lock", "install", "--require-hashes", "-r", str(lock))
    pip("project", "install", "--no-deps", "--no-build-isolation", "-e", ".")
    pip("check", "check")


def install_latest() -> None:
    """The newest pip, then the project with its test extra at the newest releases it allows."""
    pip("pip", "install", "--upgrade", "pip")
    pip("latest", "install", "--upgrade", "--upgrade-strategy", "eager", "-e", ".[test]")
    pip("check", "check")


def main(argv: list[str]) -> int:
    modes = {"lock": install_lock, "latest": install_latest}
    if len(argv) != 1 or argv[0] not in modes:
        print("usage: python .ci/install.py lock|latest", file=sys.stderr)
        return 2
    try:
        modes[argv[0]]()
    except InstallError as exc:
        print(f"ci: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
