"""The source benchmark on a short video, through the real window and worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from viz_app.bench.sources import run_source_bench
from viz_app.bench.synthetic import write_digit_video
from viz_app.errors import UserError


@pytest.mark.slow
def test_source_bench_reports_frame_age_and_drops(qapp, tmp_path: Path, mnist_test) -> None:
    path = tmp_path / "clip.avi"
    write_digit_video(path, mnist_test.images[:3], fps=30, frames=60)
    report = run_source_bench(f"video:{path}", frames=20, device="cpu", warmup=10)
    assert report["source_fps"] == 30.0
    assert report["captured"] >= 20 and 0 <= report["dropped"] <= report["captured"]
    assert report["shown"] == report["captured"] - report["dropped"] > 0
    age = report["age_ms"]
    assert 0 < age["median"] <= age["p95"] <= age["max"]
    assert report["shown_fps"] > 0


@pytest.mark.parametrize(
    ("spec", "message"),
    [("mnist", "takes camera"), ("video:/nonexistent.avi", "no such video"), ("camera:63", "camera 63 cannot be opened")],
)
def test_source_bench_refuses_what_it_cannot_measure(spec: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        run_source_bench(spec, frames=10)
