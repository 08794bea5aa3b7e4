"""A compression-bomb weights file, refused: `python -m viz_app.bench.bomb [--gib N] [--model M]`.

Writes a weights file for ``--model`` whose first tensor's entry is deflated zeros that
declare ``--gib`` GiB (a few MB on disk), opens it the way the window does (``load_model``
with the file, strict), and prints as JSON how long the refusal took and the process's peak
resident memory before and after: a loader that read the entry first would add the declared
size to the peak. Exit status 1 when the file was not refused, or the peak rose by more than
200 MB or the refusal took a second or more.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import torch

from viz_app.models import get_spec, load_model
from viz_app.models.weights import WeightsError

PEAK_LIMIT_MB, TIME_LIMIT_S = 200.0, 1.0


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_bomb(path: Path, model: str, declared: int) -> None:
    """A state dict of ``model`` whose first tensor's record is ``declared`` bytes of deflated zeros."""
    buffer = io.BytesIO()
    torch.save(get_spec(model).build().state_dict(), buffer)
    source = zipfile.ZipFile(buffer)
    chunk = bytes(16 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for info in source.infolist():
            if info.filename.endswith("/data/0"):
                with bomb.open(info.filename, "w", force_zip64=True) as entry:
                    for _ in range(declared // len(chunk)):
                        entry.write(chunk)
            else:
                bomb.writestr(info.filename, source.read(info.filename))


def measure(model: str, gib: float) -> dict:
    """Write the bomb, then time its refusal and read the peak resident memory around it."""
    with tempfile.TemporaryDirectory(prefix="cnn-viz-bomb-") as folder:
        path = Path(folder) / "bomb.pt"
        write_bomb(path, model, int(gib * 2**30))
        load_model(model, "cpu")  # the app's baseline: torch, the model and its own weights
        before = peak_rss_mb()
        t0 = time.perf_counter()
        try:
            load_model(model, "cpu", path, strict=True)
            message = None
        except WeightsError as exc:
            message = str(exc)
        took = time.perf_counter() - t0
        return {"model": model, "file_mb": round(path.stat().st_size / 2**20, 2), "declared_gib": gib, "refused": message is not None,
                "message": message, "refusal_s": round(took, 4), "peak_rss_before_mb": round(before, 1),
                "peak_rss_after_mb": round(peak_rss_mb(), 1), "peak_rise_mb": round(peak_rss_mb() - before, 1)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Print the measurement as JSON; non-zero when the bomb was not refused cheaply."""
    parser = argparse.ArgumentParser(prog="python -m viz_app.bench.bomb", description=__doc__.split("\n")[0])
    parser.add_argument("--gib", type=float, default=3.0, help="the size the bomb declares, in GiB")
    parser.add_argument("--model", default="lenet5")
    args = parser.parse_args(argv)
    report = measure(args.model, args.gib)
    print(json.dumps(report, indent=1))
    if not report["refused"] or report["peak_rise_mb"] > PEAK_LIMIT_MB or report["refusal_s"] >= TIME_LIMIT_S:
        print(f"bomb check: refused {report['refused']}, peak rose {report['peak_rise_mb']} MB in {report['refusal_s']} s "
              f"(limits {PEAK_LIMIT_MB:.0f} MB, {TIME_LIMIT_S} s)", file=sys.stderr)  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
