"""Model definitions, the registry and weight loading (no Qt here).

Importing this package registers every model family, here and nowhere else: the MNIST zoo
first (LeNet-5 leads the window's list), then torchvision's ImageNet models.
"""

from viz_app.models.loader import LoadedModel, load_model
from viz_app.models.registry import ModelSpec, get_spec, list_specs, register_model
from viz_app.models.weights import WeightsError

# isort: split
# The families register their models on import, in the window's order: the MNIST zoo first.
from viz_app.models import zoo

# isort: split
from viz_app.models import imagenet

# isort: split
# Model files and torchvision:NAME open through get_spec: each kind registers its resolver
# (no torchvision, onnx or user code is imported until one is opened).
from viz_app.models import custom, onnx_model, torchvision_any

__all__ = [
    "LoadedModel", "ModelSpec", "WeightsError", "custom", "get_spec", "imagenet", "list_specs", "load_model", "onnx_model",
    "register_model", "torchvision_any", "zoo",
]  # fmt: skip
