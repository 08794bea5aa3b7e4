"""``torchvision:NAME``: any classifier torchvision lists, with its default published weights.

The lecture's twelve are the registered ImageNet models; every other name gets a spec here,
built from its weights enum (class names, input size, mean/std, the download address) and
with its layers chosen by ``auto_layers`` on the meta device (no memory, no arithmetic).
"""

from __future__ import annotations

from functools import partial

from viz_app.models.auto_layers import choose_layers, meta_trace
from viz_app.models.imagenet import GROUP, PREFIX, TITLES, adapt_state_dict, build
from viz_app.models.registry import InputSpec, ModelSpec, WeightsSpec, add_resolver, get_spec
from viz_app.models.user_model import ModelFileError, named


def classification_names() -> list[str]:
    """torchvision's image classifiers (``list_models(module=torchvision.models)``), sorted."""
    import torchvision

    return sorted(torchvision.models.list_models(module=torchvision.models))


def torchvision_spec(arch: str) -> ModelSpec:
    """The spec of torchvision's ``arch``; the lecture's own entry where it has one."""
    if arch in TITLES:
        return get_spec(PREFIX + arch)
    names = classification_names()
    if arch not in names:
        raise ModelFileError(f"torchvision has no image classifier {arch!r}; see `cnn-viz models --all` ({len(names)} names)")
    from torchvision.models import get_model_weights

    weights = get_model_weights(arch).DEFAULT
    transforms = weights.transforms()
    classes = tuple(weights.meta["categories"])
    crop = transforms.crop_size[0]
    # A ViT's position embedding is sized for its weights' input (vit_h_14: 518, not 224).
    builder = partial(build, arch, len(classes), image_size=crop) if arch.startswith("vit_") else partial(build, arch, len(classes))
    _, outputs, out_shape = meta_trace(builder, (3, crop, crop))
    acc = weights.meta.get("_metrics", {}).get("ImageNet-1K", {}).get("acc@1")
    return ModelSpec(
        name="torchvision:" + arch,
        title=f"{arch} (torchvision)",
        builder=builder,
        group=GROUP,
        family=type(weights).__name__.split("_Weights")[0],
        input=InputSpec(size=(crop, crop), channels=3, mean=tuple(transforms.mean), std=tuple(transforms.std),
                        resize_size=transforms.resize_size[0]),
        classes=classes,
        layers=choose_layers(outputs, out_shape, (3, crop, crop)),
        weights=WeightsSpec(
            url=weights.url, transforms=str(weights), adapt_state_dict=adapt_state_dict,
            meta={"source": "torchvision", "arch": arch, "weights": str(weights), "acc@1": acc},
        ),
    )


def _resolver(text: str, _options: object | None) -> ModelSpec | None:
    """``torchvision:NAME``; None for any other text."""
    return named(torchvision_spec(text.split(":", 1)[1]), text) if text.startswith("torchvision:") else None


add_resolver(_resolver)
