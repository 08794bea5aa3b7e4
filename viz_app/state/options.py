"""How a model runs: the device, the arithmetic and how frames are timed, as one typed value.

Read from the command line once (``RunOptions.from_args``) and handed on whole: the session,
the inference thread, its worker and the pipeline each take a ``RunOptions``, not three loose
values. No torch here: ``models.device`` turns the names into torch devices and autocasts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRECISIONS = ("auto", "fp32", "bf16", "fp16")  # what --precision takes (models.device applies them)
DEVICE_HELP = "auto (CUDA when present, else CPU), cpu, cuda or cuda:N"


@dataclass(frozen=True)
class RunOptions:
    """``device``: auto, cpu, cuda or cuda:N; ``precision``: one of PRECISIONS; ``sync_timing``:
    wait for the device after each stage so that the stage timings are true (benchmarks)."""

    device: str = "auto"
    precision: str = "auto"
    sync_timing: bool = False

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}: use {', '.join(PRECISIONS)}")

    @classmethod
    def from_args(cls, args: Any, device: str = "device", sync_timing: bool = False) -> RunOptions:
        """From an argparse namespace's ``device`` (or the attribute named so) and ``precision``."""
        return cls(getattr(args, device, "auto") or "auto", getattr(args, "precision", "auto") or "auto", sync_timing)

    def with_device(self, device: str) -> RunOptions:
        """The same, on ``device`` (a device this machine lacks falls back to the CPU)."""
        return RunOptions(device, self.precision, self.sync_timing)


DEFAULT_RUN = RunOptions()  # the default: auto device, auto precision, no synchronised timing
