"""The benches' constant-memory aggregates: quantiles within 0.1 % of the exact ones."""

from __future__ import annotations

import math

import numpy as np
import pytest

from viz_app.bench.sketch import FrameAggregate, Quantiles


def test_quantiles_match_numpy_on_100000_values_in_constant_memory() -> None:
    values = np.random.default_rng(0).lognormal(1.0, 1.0, 100_000)  # milliseconds, heavy-tailed like frame times
    quantiles = Quantiles()
    size = quantiles.counts.nbytes
    quantiles.extend(values.tolist())
    assert quantiles.counts.nbytes == size < 200_000 and quantiles.count == 100_000
    for q in (0.05, 0.5, 0.95, 0.99):
        assert quantiles.quantile(q) == pytest.approx(np.quantile(values, q, method="inverted_cdf"), rel=1.5e-3)
    assert quantiles.total == pytest.approx(values.sum())


def test_quantiles_of_nothing_zero_and_a_few_values() -> None:
    assert math.isnan(Quantiles().quantile(0.5)) and Quantiles().summary() == {}
    few = Quantiles()
    few.extend([0.0, -0.001, 2.0, 4.0])  # a zero stage and a rounding residue count as zero
    assert few.quantile(0.25) == 0.0 and few.quantile(0.5) == 0.0
    assert few.summary() == {"median": 0.0, "p95": pytest.approx(4.0, rel=1e-3)}


def test_frames_are_split_by_state_with_intervals_only_within_one_state() -> None:
    frames = FrameAggregate(("a",), ("a",), ("panel",), warmup=2)
    for i in range(10):  # shown every 10 ms; the panel on for frames 6-9
        frames.add({"latency": 5.0, "a": 1.0 + i, "shown": i * 0.01, "panel": i >= 6})
    assert frames.seen == 10 and frames.all.frames == 8  # two warm-up frames not counted
    off, on = frames.by[("panel", False)], frames.by[("panel", True)]
    assert (off.frames, on.frames) == (4, 4)
    assert (off.interval.count, on.interval.count) == (3, 3)  # no interval across the switch
    assert off.report()["updates_per_s"] == pytest.approx(100.0)
    split = frames.split("panel", ("without", "with"))
    assert split["with"]["work_ms"]["median"] == pytest.approx(8.0, rel=2e-3)
    assert split["work_ratio"] == pytest.approx(split["with"]["work_ms"]["median"] / split["without"]["work_ms"]["median"], abs=1e-3)
