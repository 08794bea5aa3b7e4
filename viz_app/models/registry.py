"""The one list of models that the window, the command line and the tests all see.

The registry knows no model family: each family module registers its specs when imported,
and ``viz_app.models`` imports every family in one place (as torchvision's ``models``
package does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from viz_app.errors import UserError
from viz_app.models.recipes import Recipe
from viz_app.records.frames import Head

MNIST_CLASSES: tuple[str, ...] = tuple(str(d) for d in range(10))
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


@dataclass(frozen=True)
class InputSpec:
    """What a model eats: its input's size and channels, and how a frame is normalised for it."""

    size: tuple[int, int] = (32, 32)  # height, width
    channels: int = 1
    mean: tuple[float, ...] = (MNIST_MEAN,)
    std: tuple[float, ...] = (MNIST_STD,)
    # Shorter side an image is resized to before the centre crop to ``size`` (photo models).
    resize_size: int | None = None


@dataclass(frozen=True)
class WeightsSpec:
    """Where a model's weights come from, how a frame is prepared for them, and what is known of them
    (torchvision's ``Weights``: url, transforms, meta)."""

    file: str | None = None  # the project's own trained weights, relative to the assets folder
    # Pretrained weights kept in torch's cache ($TORCH_HOME/hub/checkpoints/<basename>),
    # downloaded once from this address when a network is there (ImageNet models).
    url: str | None = None
    # A torchvision weights enum member ("ResNet18_Weights.IMAGENET1K_V1"): its transforms
    # are the model's preprocessing.
    transforms: str | None = None
    # Renames or drops entries of a published state dict so that it fits the built model.
    adapt_state_dict: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Where the weights come from when the builder brings its own (an ONNX file): no weights
    # file is looked for.
    own: str | None = None
    # What the weights' publisher or opener says of them: "source" (torchvision, a user's
    # file), "arch", "weights" (the enum member), "acc@1" (ImageNet-1K top-1, %).
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: how to build it, what it eats, what its head gives, where its weights
    come from, how the project trains it and which layers to show."""

    name: str
    title: str
    builder: Callable[[], nn.Module]
    group: str = "MNIST zoo"
    family: str = ""
    input: InputSpec = InputSpec()
    classes: tuple[str, ...] = MNIST_CLASSES
    head: Head = Head.CLASSES  # one score per class, or a class vector at every position (a string reader)
    # (module path, display name) of the layers shown by default, in order.
    layers: tuple[tuple[str, str], ...] = ()
    weights: WeightsSpec = WeightsSpec()
    # How `cnn-viz train` makes the weights (a recipe type names its trainer); None where the
    # weights are made elsewhere (torchvision's, a user's file).
    recipe: Recipe | None = None
    # Other names ``get_spec`` finds the model by when no model has that exact name
    # (torchvision's "resnet18" for "imagenet_resnet18").
    aliases: tuple[str, ...] = ()

    def build(self) -> nn.Module:
        """A fresh, untrained instance of the model."""
        return self.builder()


class UnknownModelError(UserError, KeyError):
    """A model name that is not registered; the message lists the names that are."""

    def __str__(self) -> str:  # KeyError's own str() would quote the whole message
        return str(self.args[0]) if self.args else "unknown model"


_REGISTRY: dict[str, ModelSpec] = {}
_ALIASES: dict[str, str] = {}  # alias -> registered name
# Turn a text that names no registered model into a spec ("torchvision:NAME", "net.py:build",
# "net.onnx"), or None when the text is not theirs; the spec is then registered under its name.
# The second argument carries what the user said about the model (the resolver's own options
# type, e.g. user_model.ModelOptions), or None.
Resolver = Callable[[str, object | None], "ModelSpec | None"]
_RESOLVERS: list[Resolver] = []


def add_resolver(resolver: Resolver) -> None:
    """Let ``get_spec`` open texts that are not registered names (model files, other libraries)."""
    _RESOLVERS.append(resolver)


def open_with_resolvers(text: str, options: object | None = None) -> ModelSpec | None:
    """The spec the first resolver that takes ``text`` makes of it (not registered yet), or None."""
    for resolver in _RESOLVERS:
        spec = resolver(text, options)
        if spec is not None:
            return spec
    return None


def register_model(spec: ModelSpec, replace: bool = False) -> ModelSpec:
    """Add a model to the registry; names are unique, and so are aliases.

    ``replace`` puts a newer spec under a registered name (a user's model file opened again).
    """
    if spec.name in _REGISTRY and not replace:
        raise ValueError(f"model {spec.name!r} is registered twice")
    taken = [alias for alias in spec.aliases if alias in _ALIASES and _ALIASES[alias] != spec.name]
    if taken:
        raise ValueError(f"model {spec.name!r}: alias {taken[0]!r} already names {_ALIASES[taken[0]]!r}")
    _REGISTRY[spec.name] = spec
    _ALIASES.update(dict.fromkeys(spec.aliases, spec.name))
    return spec


def get_spec(name: str) -> ModelSpec:
    """The spec of a registered model, or an UnknownModelError (a KeyError) that lists the known names.

    Exact names come first; an alias (torchvision's ``resnet18``) finds its model only where
    no model has that name (the MNIST zoo has its own ``alexnet``). Other texts go to the
    resolvers (``add_resolver``): a model file or ``torchvision:NAME`` is opened and registered.
    """
    spec = _REGISTRY.get(name) or _REGISTRY.get(_ALIASES.get(name, ""))
    if spec is None:
        opened = open_with_resolvers(name)
        if opened is not None:
            return register_model(opened, replace=True)
        known = ", ".join(sorted(_REGISTRY))
        raise UnknownModelError(
            f"unknown model {name!r}; registered models: {known} (or open torchvision:NAME, FILE.py:build or FILE.onnx)"
        )
    return spec


def list_specs() -> list[ModelSpec]:
    """All registered models, in registration order."""
    return list(_REGISTRY.values())


def specs_in_group(group: str) -> list[ModelSpec]:
    """Registered models of one group ("MNIST zoo", "ImageNet"), in registration order."""
    return [spec for spec in list_specs() if spec.group == group]
