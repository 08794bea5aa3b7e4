"""A private X server for the tests that need real windows and real input events (Xvfb)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest


def start_xvfb(size: str = "1600x1000", first: int = 90) -> tuple[subprocess.Popen, str]:
    """Start Xvfb on the first free display number from ``first`` at ``size`` (WxH);
    (the server process, its DISPLAY). The test stops the server."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("needs Xvfb (see .ci/run for the packages)")
    number = next(n for n in range(first, first + 60) if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists())
    server = subprocess.Popen([xvfb, f":{number}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            pytest.fail("Xvfb did not start")
        time.sleep(0.1)
    return server, f":{number}"
