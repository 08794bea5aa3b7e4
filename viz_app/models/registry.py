"""The one list of models that the window, the command line and the tests all see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

MNIST_CLASSES: tuple[str, ...] = tuple(str(d) for d in range(10))
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: how to build it, what it eats and which layers to show."""

    name: str
    title: str
    builder: Callable[[], nn.Module]
    group: str = "MNIST zoo"
    family: str = ""
    input_size: tuple[int, int] = (32, 32)
    channels: int = 1
    mean: tuple[float, ...] = (MNIST_MEAN,)
    std: tuple[float, ...] = (MNIST_STD,)
    classes: tuple[str, ...] = MNIST_CLASSES
    # (module path, display name) of the layers shown by default, in order.
    layers: tuple[tuple[str, str], ...] = ()
    weights_file: str | None = None  # relative to the assets folder
    recipe: dict[str, Any] = field(default_factory=dict)
    # Pretrained weights kept in torch's cache ($TORCH_HOME/hub/checkpoints/<basename>),
    # downloaded once from this address when a network is there (ImageNet models).
    weights_url: str | None = None
    # A torchvision weights enum member ("ResNet18_Weights.IMAGENET1K_V1"): its transforms
    # are the model's preprocessing.
    weights_id: str | None = None
    # Shorter side an image is resized to before the centre crop to ``input_size``.
    resize_size: int | None = None
    # Renames or drops entries of a published state dict so that it fits ``builder()``.
    adapt_state_dict: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def build(self) -> nn.Module:
        return self.builder()


_REGISTRY: dict[str, ModelSpec] = {}


def register_model(spec: ModelSpec) -> ModelSpec:
    """Add a model to the registry; names are unique."""
    if spec.name in _REGISTRY:
        raise ValueError(f"model {spec.name!r} is registered twice")
    _REGISTRY[spec.name] = spec
    return spec


_loaded = False


def _load_families() -> None:
    """Import every family module once: the MNIST zoo package, then the ImageNet models."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib
    import importlib.util
    import pkgutil

    from viz_app.models import zoo

    for info in sorted(pkgutil.iter_modules(zoo.__path__), key=lambda m: (m.name != "lenet5", m.name)):
        importlib.import_module(f"viz_app.models.zoo.{info.name}")
    if importlib.util.find_spec("viz_app.models.imagenet") is not None:
        importlib.import_module("viz_app.models.imagenet")


def get_spec(name: str) -> ModelSpec:
    """The spec of a registered model, or a KeyError that lists the known names.

    torchvision's own names (``resnet18``) find the ImageNet models where the MNIST zoo has
    no model of that name.
    """
    _load_families()
    try:
        return _REGISTRY[name] if name in _REGISTRY else _REGISTRY[f"imagenet_{name}"]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown model {name!r}; registered models: {known}") from None


def list_specs() -> list[ModelSpec]:
    """All registered models, in registration order."""
    _load_families()
    return list(_REGISTRY.values())


def specs_in_group(group: str) -> list[ModelSpec]:
    """Registered models of one group ("MNIST zoo", "ImageNet"), in registration order."""
    return [spec for spec in list_specs() if spec.group == group]
