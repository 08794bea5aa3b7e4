"""Model definitions, the registry and weight loading (no Qt here)."""

from viz_app.models.loader import LoadedModel, load_model
from viz_app.models.registry import ModelSpec, get_spec, list_specs, register_model
from viz_app.models.weights import WeightsError

__all__ = ["LoadedModel", "ModelSpec", "WeightsError", "get_spec", "list_specs", "load_model", "register_model"]
