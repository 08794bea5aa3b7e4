"""The registry: exact names first, torchvision's names as aliases, one clear error for a typo."""

from __future__ import annotations

import pytest
from torch import nn

from viz_app.models import get_spec, list_specs, registry
from viz_app.models.registry import ModelSpec, register_model


@pytest.fixture
def scratch_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry as it is, on copies that the test may add to."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    monkeypatch.setattr(registry, "_ALIASES", dict(registry._ALIASES))


def tiny(name: str, aliases: tuple[str, ...] = ()) -> ModelSpec:
    return ModelSpec(name=name, title=name, builder=lambda: nn.Flatten(), aliases=aliases)


def test_torchvision_names_find_the_imagenet_models() -> None:
    assert get_spec("resnet18").name == "imagenet_resnet18"
    assert get_spec("alexnet").name == "alexnet" and get_spec("alexnet").group == "MNIST zoo"  # exact names come first
    assert all(get_spec(spec.name) is spec for spec in list_specs())
    assert all(get_spec(alias) is spec for spec in list_specs() for alias in spec.aliases if alias not in {s.name for s in list_specs()})


def test_an_unknown_name_lists_the_registered_ones() -> None:
    with pytest.raises(KeyError, match="unknown model 'resnet19'; registered models: .*imagenet_resnet18.*lenet5"):
        get_spec("resnet19")


@pytest.mark.usefixtures("scratch_registry")
def test_names_and_aliases_are_unique() -> None:
    register_model(tiny("tiny", aliases=("small",)))
    assert get_spec("small").name == "tiny"
    with pytest.raises(ValueError, match="registered twice"):
        register_model(tiny("tiny"))
    with pytest.raises(ValueError, match="alias 'small' already names 'tiny'"):
        register_model(tiny("other", aliases=("small",)))
    with pytest.raises(KeyError):
        get_spec("other")  # a refused spec is not half-registered
