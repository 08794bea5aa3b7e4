"""The lecture's ImageNet architectures, as torchvision builds them, with its published weights.

Everything a model eats and says is what torchvision's weights enum says (class names, input
size, mean/std), kept in ``imagenet_meta`` so that listing the models does not import
torchvision (about a second at start-up); torchvision is imported when a model is built. The
models are built without weights (no network needed); ``loader.load_model`` takes the
published state dict from torch's cache, or downloads it there once. Any other classifier
of torchvision opens as ``torchvision:NAME`` (``viz_app.models.custom``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from torch import nn

from viz_app.models.imagenet_meta import CATEGORIES, MEAN, STD, WEIGHTS
from viz_app.models.registry import InputSpec, ModelSpec, WeightsSpec, register_model

GROUP = "ImageNet"
# Registered as "imagenet_<torchvision name>" (the MNIST zoo has its own "alexnet", "googlenet"...),
# with torchvision's name as an alias.
PREFIX = "imagenet_"
Layers = tuple[tuple[str, str], ...]


def _seq(prefix: str, indices: Iterable[int | str], title: str = "{}") -> Layers:
    """Consecutive children of ``prefix`` ("features.0", "features.1"...), titled by ``title``."""
    return tuple((f"{prefix}.{i}", title.format(i)) for i in indices)


def _branches(block: str, paths: list[tuple[str, str]]) -> Layers:
    """One Inception block's parallel paths, named "<block>/<path>" so the window sets them side by side."""
    return tuple((f"{block}.{module}", f"{block}/{label}") for module, label in paths)


# torchvision's GoogLeNet has 3x3 where the paper's third path has 5x5 (a kept, documented bug).
_GOOGLENET_4A = _branches(
    "inception4a", [("branch1", "1x1"), ("branch2", "1x1-3x3"), ("branch3", "1x1-3x3 (paper: 5x5)"), ("branch4", "pool-1x1")]
)
# Inception v3's asymmetric block: 7x7 factorised into 1x7 and 7x1.
_INCEPTION_V3_6B = _branches(
    "Mixed_6b", [("branch1x1", "1x1"), ("branch7x7_3", "1x7-7x1"), ("branch7x7dbl_5", "7x1-1x7 twice"), ("branch_pool", "pool-1x1")]
)

LAYERS: dict[str, Layers] = {
    "alexnet": (
        ("features.1", "conv1"), ("features.4", "conv2"), ("features.7", "conv3"), ("features.9", "conv4"),
        ("features.11", "conv5"), ("classifier.2", "fc6"), ("classifier.5", "fc7"), ("classifier.6", "fc8"),
    ),
    "vgg16_bn": tuple((f"features.{i}", f"block{b + 1}") for b, i in enumerate((6, 13, 23, 33, 43)))
    + (("classifier.1", "fc6"), ("classifier.4", "fc7"), ("classifier.6", "fc8")),
    "googlenet": (("conv1", "conv1"), ("conv3", "conv3"), ("inception3a", "inception3a"), ("inception3b", "inception3b"), ("inception4a", "inception4a"))
    + _GOOGLENET_4A
    + tuple((f"inception{b}", f"inception{b}") for b in ("4b", "4c", "4d", "4e", "5a", "5b"))
    + (("fc", "fc"),),
    "inception_v3": (("Conv2d_2b_3x3", "Conv2d_2b_3x3"), ("Conv2d_4a_3x3", "Conv2d_4a_3x3"))
    + tuple((f"Mixed_{b}", f"Mixed_{b}") for b in ("5b", "5c", "5d", "6a", "6b"))
    + _INCEPTION_V3_6B
    + tuple((f"Mixed_{b}", f"Mixed_{b}") for b in ("6c", "6d", "6e", "7a", "7b", "7c"))
    + (("fc", "fc"),),
    "densenet121": (("features.pool0", "stem"),)
    + tuple(
        (f"features.{kind}{i}", f"{kind}{i}")
        for i in range(1, 5)
        for kind in ("denseblock", "transition")
        if not (kind == "transition" and i == 4)
    )
    + (("classifier", "fc"),),
    "shufflenet_v2_x1_0": (("maxpool", "stem"), ("stage2", "stage2"), ("stage3", "stage3"), ("stage4", "stage4"), ("conv5", "conv5"), ("fc", "fc")),
    "mobilenet_v3_large": _seq("features", range(17), "features.{}") + (("classifier.3", "fc"),),
    "efficientnet_b0": _seq("features", range(9), "features.{}") + (("classifier.1", "fc"),),
    "regnet_y_400mf": (("stem", "stem"),) + _seq("trunk_output", [f"block{i}" for i in range(1, 5)], "{}") + (("fc", "fc"),),
}
for _arch in ("resnet18", "resnet50", "resnext50_32x4d"):
    # Not the stem's ReLU: torchvision reuses ``relu`` modules inside blocks (DESIGN.md).
    LAYERS[_arch] = (("maxpool", "stem"),) + tuple((f"layer{i}", f"layer{i}") for i in range(1, 5)) + (("fc", "fc"),)

TITLES = {
    "alexnet": "AlexNet (2012)",
    "vgg16_bn": "VGG-16 with BatchNorm (2014)",
    "googlenet": "GoogLeNet / Inception v1 (2014)",
    "inception_v3": "Inception v3 (2015)",
    "resnet18": "ResNet-18 (2015)",
    "resnet50": "ResNet-50 (2015)",
    "resnext50_32x4d": "ResNeXt-50 32x4d (2016)",
    "densenet121": "DenseNet-121 (2016)",
    "shufflenet_v2_x1_0": "ShuffleNet v2 1.0x (2018)",
    "mobilenet_v3_large": "MobileNet v3 large (2019)",
    "efficientnet_b0": "EfficientNet-B0 (2019)",
    "regnet_y_400mf": "RegNetY-400MF (2020)",
}

# What the builder gets so that the published weights fit: Inception models normalise their
# input as Google's weights expect; their auxiliary heads (training only) are left out.
_BUILD_ARGS: dict[str, dict[str, Any]] = {
    "googlenet": {"transform_input": True, "aux_logits": False, "init_weights": True},
    "inception_v3": {"transform_input": True, "aux_logits": False, "init_weights": True},
}
_AUX_KEYS = re.compile(r"^(aux1|aux2|AuxLogits)\.")
# Old DenseNet checkpoints name "norm.1" what the module now calls "norm1" (as torchvision remaps).
_DENSE_KEYS = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$")


def adapt_state_dict(state: dict[str, Any]) -> dict[str, Any]:
    """A published torchvision state dict renamed to the modules built here (aux heads dropped)."""
    out = {}
    for key, value in state.items():
        if _AUX_KEYS.match(key):
            continue
        match = _DENSE_KEYS.match(key)
        out[match.group(1) + match.group(2) if match else key] = value
    return out


def build(arch: str, num_classes: int, **kwargs: Any) -> nn.Module:
    """The architecture without weights, shaped so that its published state dict fits."""
    from torchvision.models import get_model  # about a second: only when a model is built

    return get_model(arch, weights=None, num_classes=num_classes, **_BUILD_ARGS.get(arch, {}), **kwargs)


def imagenet_spec(arch: str) -> ModelSpec:
    """A registry entry for the lecture's torchvision ``arch``, from the kept weights metadata."""
    weights_id, url, crop, resize, acc = WEIGHTS[arch]
    builder: Callable[[], nn.Module] = partial(build, arch, len(CATEGORIES))
    return ModelSpec(
        name=PREFIX + arch,
        title=TITLES.get(arch, arch),
        builder=builder,
        group=GROUP,
        family=weights_id.split("_Weights")[0],
        input=InputSpec(size=(crop, crop), channels=3, mean=MEAN, std=STD, resize_size=resize),
        classes=CATEGORIES,
        layers=LAYERS[arch],
        weights=WeightsSpec(
            url=url, transforms=weights_id, adapt_state_dict=adapt_state_dict,
            meta={"source": "torchvision", "arch": arch, "weights": weights_id, "acc@1": acc},
        ),
        aliases=(arch,),
    )


ARCHITECTURES: tuple[str, ...] = tuple(TITLES)  # torchvision's names
IMAGENET_MODELS: tuple[str, ...] = tuple(PREFIX + arch for arch in ARCHITECTURES)  # registered names
for _arch in ARCHITECTURES:
    register_model(imagenet_spec(_arch))
