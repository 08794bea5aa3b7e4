"""Per-frame timings aggregated as they arrive, in constant memory, for benches of any length.

A 100,000-frame soak that kept every frame's record would measure its own lists: ~150 MB of
dicts. ``Quantiles`` is a histogram with log-spaced bins (0.2 % apart), so a median or a
95th percentile it reports lies within 0.1 % of the exact one, whatever the number of frames.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

LOW_MS, HIGH_MS, STEP = 1e-4, 1e7, 1.002  # 0.1 microsecond to ~3 hours; one bin per 0.2 %
_BINS = math.ceil(math.log(HIGH_MS / LOW_MS) / math.log(STEP)) + 1  # bin 0: at or below LOW_MS


class Quantiles:
    """Count, sum and a log histogram of non-negative values (milliseconds); 100 KB each."""

    def __init__(self) -> None:
        self.counts = np.zeros(_BINS, np.int64)
        self.count = 0
        self.total = 0.0

    def add(self, value: float) -> None:
        """Count one value (values at or below 0.1 microsecond count as zero)."""
        self.count += 1
        self.total += value
        self.counts[_bin(value)] += 1

    def extend(self, values: Iterable[float]) -> None:
        """Count each of ``values``."""
        for value in values:
            self.add(value)

    def quantile(self, q: float) -> float:
        """The value below which a fraction ``q`` of the values lie (NaN when there are none)."""
        if not self.count:
            return float("nan")
        rank = min(self.count - 1, max(0, math.ceil(q * self.count) - 1))
        index = int(np.searchsorted(np.cumsum(self.counts), rank, side="right"))
        return 0.0 if index == 0 else LOW_MS * STEP ** (index - 0.5)  # the bin's geometric middle

    def summary(self) -> dict[str, float]:
        """Median and 95th percentile rounded to the microsecond ({} when there are no values)."""
        if not self.count:
            return {}
        return {"median": round(self.quantile(0.5), 3), "p95": round(self.quantile(0.95), 3)}


def summarise(values: Iterable[float]) -> dict[str, float]:
    """Median and 95th percentile of a few values, as the frame timings are reported."""
    quantiles = Quantiles()
    quantiles.extend(values)
    return quantiles.summary()


def _bin(value: float) -> int:
    if not value > LOW_MS:  # zero, a negative rounding residue, NaN
        return 0
    return min(_BINS - 1, 1 + int(math.log(value / LOW_MS) / math.log(STEP)))


class FrameStats:
    """One group of frames (all, or those with a panel shown): latency, work, each stage and
    the interval since the previous frame of the same group."""

    def __init__(self, stages: Iterable[str]) -> None:
        self.frames = 0
        self.latency = Quantiles()
        self.work = Quantiles()
        self.interval = Quantiles()
        self.stages = {name: Quantiles() for name in stages}

    def add(self, record: dict, interval_ms: float | None) -> None:
        """Count one frame's record (milliseconds) and its interval (None: no previous frame)."""
        self.frames += 1
        self.latency.add(record["latency"])
        self.work.add(record["work"])
        for name, quantiles in self.stages.items():
            quantiles.add(record[name])
        if interval_ms is not None:
            self.interval.add(interval_ms)

    def report(self) -> dict:
        """Frames, frame interval, updates per second, latency, work and stages, as the bench prints them."""
        per_s = round(1000 * self.interval.count / self.interval.total, 1) if self.interval.total else 0.0
        return {"frames": self.frames, "frame_interval_ms": self.interval.summary(), "updates_per_s": per_s,
                "latency_ms": self.latency.summary(), "work_ms": self.work.summary(),
                "stages_ms": {k: q.summary() for k, q in self.stages.items()}}  # fmt: skip


class FrameAggregate:
    """Every shown frame after the warm-up, counted overall and apart by the state it was
    shown in (``flags``: e.g. a panel in view, the presentation view)."""

    def __init__(self, stages: Iterable[str], work_stages: Iterable[str], flags: Iterable[str], warmup: int) -> None:
        self.stages, self.work_stages, self.flags = tuple(stages), tuple(work_stages), tuple(flags)
        self.warmup = warmup
        self.seen = 0  # every frame shown, the warm-up too
        self.all = FrameStats(self.stages)
        self.by = {(flag, on): FrameStats(self.stages) for flag in self.flags for on in (False, True)}
        self._previous: tuple[float, tuple] | None = None  # the last counted frame: shown at, its state

    def add(self, record: dict) -> None:
        """Count one shown frame: its stages (ms), "latency", "shown" (s) and a bool per flag."""
        self.seen += 1
        if self.seen <= self.warmup:
            return
        record["work"] = sum(record[k] for k in self.work_stages)
        state = tuple(record[flag] for flag in self.flags)
        # Frame interval: time since the previous shown frame, where both were shown in the same state.
        same = self._previous is not None and self._previous[1] == state
        interval = (record["shown"] - self._previous[0]) * 1e3 if self._previous is not None and same else None
        self._previous = (record["shown"], state)
        self.all.add(record, interval)
        for flag in self.flags:
            self.by[(flag, bool(record[flag]))].add(record, interval)

    def split(self, flag: str, names: tuple[str, str]) -> dict:
        """The frames without and with ``flag`` reported apart, with the ratios of their medians."""
        split = {names[0]: self.by[(flag, False)].report(), names[1]: self.by[(flag, True)].report()}
        base, shown = split[names[0]], split[names[1]]
        if base["frames"] and shown["frames"]:
            for name, part in (("frame_interval_ratio", "frame_interval_ms"), ("latency_ratio", "latency_ms"), ("work_ratio", "work_ms")):
                if base[part] and shown[part]:
                    split[name] = round(shown[part]["median"] / base[part]["median"], 3)
        return split
