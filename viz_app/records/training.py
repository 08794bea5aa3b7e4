"""Training live, as the window and the training child both see it: the settings a user picks,
one step's figures and what the Train panel draws after some steps. Plain data, no torch, no Qt."""

from __future__ import annotations

from dataclasses import dataclass

from viz_app.errors import UserError
from viz_app.records.panels import FiltersRecord

OPTIMISERS = ("adam", "momentum", "sgd")  # Adam; SGD with momentum 0.9; plain SGD
OPTIMISER_TITLES = {"adam": "Adam", "momentum": "SGD with momentum", "sgd": "SGD"}
DEFAULT_LR = {"adam": 1e-3, "momentum": 0.05, "sgd": 0.1}
MAX_LR = 1e3
MAX_BATCH = 4096
STARTS = ("random", "shipped")  # random weights, or the weights the app ships


@dataclass(frozen=True)
class LiveSettings:
    """How the model learns; any of them may change between two steps."""

    optimiser: str = "adam"
    lr: float | None = None  # None: DEFAULT_LR[optimiser]
    batch_size: int = 64
    augment: bool = False
    seed: int = 0

    def checked(self) -> LiveSettings:
        """These settings, or a UserError in one line saying which one is out of range."""
        if self.optimiser not in OPTIMISERS:
            raise UserError(f"optimiser must be one of {', '.join(OPTIMISERS)}, not {self.optimiser!r}")
        if self.lr is not None and not 0 < self.lr <= MAX_LR:
            raise UserError(f"learning rate must be above 0 and at most {MAX_LR:g}, got {self.lr:g}")
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise UserError(f"batch size must be 1 to {MAX_BATCH}, got {self.batch_size}")
        return self

    @property
    def learning_rate(self) -> float:
        return self.lr if self.lr is not None else DEFAULT_LR[self.optimiser]


@dataclass(frozen=True)
class Step:
    """One step's figures."""

    step: int
    epoch: int
    seconds: float  # of training since the first step, pauses not counted
    loss: float
    train_accuracy: float  # of this batch
    examples_per_s: float  # over the last steps


@dataclass(frozen=True)
class Progress:
    """What the Train panel draws after some steps: the last step (None before the first), the
    first convolution's filters (None for a model without one), and the accuracy on the held-out
    test digits where it was scored just now."""

    step: Step | None
    filters: FiltersRecord | None
    held_out: float | None
    running: bool
