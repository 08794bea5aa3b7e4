"""`cnn-viz bench arithmetic`: every click is answered by the Arithmetic tab, and timed."""

from __future__ import annotations

from viz_app.bench.arithmetic import bench_arithmetic


def test_each_click_is_timed_to_its_view(qapp) -> None:
    report = bench_arithmetic("lenet5", "cpu", 4)
    assert report["shown"] == 4 and len(report["each_ms"]) == 4
    assert 0 < report["click_to_view_ms"]["median"] < 10_000
