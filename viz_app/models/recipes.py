"""How the project trains a model, typed: one recipe type per trainer (without torch).

A ``ModelSpec`` carries its recipe; ``viz_app.training.trainers`` finds the trainer that a
recipe's type names (``TRAINER``). A model card keeps its recipe as JSON (``as_card``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class AffineRange:
    """How far each training digit may be rotated, shifted, scaled and sheared (a classifier's
    distortions, LeCun et al.'s; ``viz_app.training.augment`` draws them per sample)."""

    degrees: float = 10.0
    translate: float = 0.1  # fraction of the image size
    scale: tuple[float, float] = (0.9, 1.1)
    shear: float = 8.0  # degrees


@dataclass(frozen=True)
class Distortion:
    """Random per-digit distortions of a training string's digits (none for the evaluation set)."""

    degrees: float = 8.0
    scale: tuple[float, float] = (0.85, 1.1)
    shear: float = 0.25  # horizontal shear factor
    thickness: tuple[int, int] = (-1, 1)  # erode (-1) or dilate (+1) the strokes


@dataclass(frozen=True)
class ClassifierRecipe:
    """A classifier trained from scratch on MNIST: AdamW with a one-cycle learning rate,
    cross-entropy (or the model's own loss) and random affine distortions."""

    TRAINER: ClassVar[str] = "classes"

    epochs: int = 5
    batch_size: int = 128
    lr: float = 4e-3
    weight_decay: float = 1e-4
    pct_start: float = 0.3  # share of the steps spent warming up
    label_smoothing: float = 0.0
    augment: AffineRange | None = None
    loss: str = "cross-entropy"  # what the card says of the loss (a model's own, e.g. LeNet-5 1998's MAP criterion)

    def as_card(self) -> dict[str, Any]:
        return _card(self)


@dataclass(frozen=True)
class StringStage:
    """One stage of a string reader's training; each later stage starts from the one before."""

    epochs: int
    lr: float
    stride: int = 2  # the scan's column step (4 pixels first, then 2)
    touching_share: float = 0.6  # share of the strings whose digits touch or overlap
    augment: Distortion | None = None  # the recipe's distortion when None
    average: int = 0  # weights averaged this many times an epoch at a constant rate (SWA), 0: one cycle


@dataclass(frozen=True)
class StringRecipe:
    """A string reader trained on composed strings with CTC: a 4-pixel scan from scratch, then
    the ``fine`` stages on the 2-pixel scan."""

    TRAINER: ClassVar[str] = "strings"

    epochs: int
    steps_per_epoch: int
    batch_size: int
    lr: float
    weight_decay: float
    digits_per_string: tuple[int, int]
    augment: Distortion
    touching_share: float = 0.45
    fine: tuple[StringStage, ...] = ()
    loss: str = "CTC"

    def stages(self, epochs: int | None = None) -> list[StringStage]:
        """The stages in order: the 4-pixel scan (``epochs`` of them when given), then each of ``fine``."""
        first = StringStage(self.epochs if epochs is None else epochs, self.lr, stride=4, touching_share=self.touching_share)
        return [first, *self.fine]

    def distortion(self, stage: StringStage) -> Distortion:
        """The per-digit distortion of a stage: its own (a late stage may distort less, nearer the
        clean digits it will read), else the recipe's."""
        return stage.augment or self.augment

    def as_card(self) -> dict[str, Any]:
        return _card(self)


Recipe = ClassifierRecipe | StringRecipe


def recipe_from_card(card: Mapping[str, Any]) -> Recipe:
    """The recipe a model card's ``recipe`` entry describes (JSON: ranges as lists; a key left
    out takes the recipe type's default, as cards written before the types have it).

    A ValueError where the entry is not a recipe this project trains with.
    """
    try:
        if card.get("trainer", ClassifierRecipe.TRAINER) == StringRecipe.TRAINER:
            return StringRecipe(
                **_fields(StringRecipe, card, exclude=("augment", "fine", "digits_per_string")),
                digits_per_string=_pair(card["digits_per_string"], int),
                augment=_distortion(card["augment"]),
                fine=tuple(
                    StringStage(**_fields(StringStage, stage, exclude=("augment",)),
                                augment=_distortion(stage["augment"]) if stage.get("augment") else None)
                    for stage in card.get("fine", ())
                ),
            )
        augment = card.get("augment")
        return ClassifierRecipe(
            **_fields(ClassifierRecipe, card, exclude=("augment",)),
            augment=AffineRange(**_fields(AffineRange, augment, ("scale",)), scale=_pair(augment["scale"], float)) if augment else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a training recipe: {exc}") from exc


def _fields(kind: type, values: Mapping[str, Any], exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(kind)} - set(exclude)
    return {k: v for k, v in values.items() if k in names}


def _pair(values: Any, kind: type) -> tuple[Any, Any]:
    lo, hi = values
    return kind(lo), kind(hi)


def _distortion(values: Mapping[str, Any]) -> Distortion:
    return Distortion(float(values["degrees"]), _pair(values["scale"], float), float(values["shear"]), _pair(values["thickness"], int))


def _card(recipe: Recipe) -> dict[str, Any]:
    """The recipe as a model card keeps it: JSON, with the trainer's name."""
    return {"trainer": recipe.TRAINER, "optimizer": "AdamW", "schedule": "OneCycle", **dataclasses.asdict(recipe)}
