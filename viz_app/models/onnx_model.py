"""An ONNX classifier as a PyTorch module, so that the same hooks and panels see its layers.

The conversion is onnx2pytorch's (``ConvertModel``): it is maintained (0.6.0, 2026) and reads
the opset-18+ graphs that ``torch.onnx.export`` writes today, where onnx2torch (last released
2024) has no converter for opset-19 Reshape. Each ONNX node becomes a child module, named after
the node, so forward hooks fire per node as on any PyTorch model.
"""

from __future__ import annotations

import collections
import warnings
from pathlib import Path
from typing import Any

from torch import nn

from viz_app.models.registry import ModelSpec, add_resolver
from viz_app.models.user_model import ModelFileError, ModelOptions, check_file, named, user_spec

MAX_ONNX_BYTES = 1 << 30  # weights included; a model shown live at frame rate is far smaller


def read_onnx(path: Path) -> Any:
    """The checked ONNX graph in ``path``; a ModelFileError when it is not one."""
    try:
        import onnx
    except ImportError as exc:
        raise ModelFileError("opening ONNX files needs the onnx and onnx2pytorch packages (pip install onnx onnx2pytorch)") from exc
    try:
        proto = onnx.load(str(path))
        onnx.checker.check_model(proto)
    except Exception as exc:  # protobuf's DecodeError, onnx's ValidationError, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelFileError(f"{path.name} is not a readable ONNX model (damaged or cut short?): {first[:200]}") from exc
    if not proto.graph.output:
        raise ModelFileError(f"{path.name} has no output")
    return proto


def convert(proto: Any, label: str) -> nn.Module:
    """A fresh PyTorch module computing the ONNX graph (batches of any size)."""
    try:
        from onnx2pytorch import ConvertModel  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ModelFileError("opening ONNX files needs the onnx2pytorch package (pip install onnx2pytorch)") from exc
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ConvertModel(proto, experimental=True)
    except NotImplementedError as exc:
        raise ModelFileError(f"{label} uses an ONNX operator the converter does not support: {str(exc)[:200]}") from exc
    except Exception as exc:
        raise ModelFileError(f"{label} could not be converted to PyTorch: {type(exc).__name__}: {str(exc)[:200]}") from exc
    if isinstance(getattr(model, "needed_by", None), dict):
        model.needed_by = _Consumers(model.needed_by)
    return model


class _Consumers(collections.defaultdict):
    """The converter's map of each tensor to the nodes still needing it, which its forward
    deep-copies on every call; a copy of its sets of names gives the same at a third of the
    cost of the whole forward on a small network."""

    def __init__(self, source: dict[str, set[str]]) -> None:
        super().__init__(set, source)

    def __deepcopy__(self, memo: dict[int, Any]) -> collections.defaultdict[str, set[str]]:
        return collections.defaultdict(set, {k: set(v) for k, v in self.items()})


def input_shape(proto: Any) -> tuple[int, int, int] | None:
    """The graph's C x H x W input when it states them (the batch may be symbolic)."""
    fed = {init.name for init in proto.graph.initializer}
    for graph_input in proto.graph.input:
        if graph_input.name in fed:
            continue
        dims = [d.dim_value if d.HasField("dim_value") else 0 for d in graph_input.type.tensor_type.shape.dim]
        if len(dims) == 4 and all(dims[1:]):
            return dims[1], dims[2], dims[3]
        return None
    return None


def onnx_spec(path: Path, options: ModelOptions) -> ModelSpec:
    """The spec of an ONNX classifier file: its input from the graph, its weights its own."""
    path = check_file(path, MAX_ONNX_BYTES, "ONNX model")
    proto = read_onnx(path)

    def builder() -> nn.Module:
        return convert(proto, path.name)

    return user_spec(str(path), path.name, builder, path, options, family="ONNX", shape=input_shape(proto), own_weights=str(path))


def _resolver(text: str, options: object | None) -> ModelSpec | None:
    """``net.onnx``; None for any other text."""
    if not text.lower().endswith(".onnx"):
        return None
    return named(onnx_spec(Path(text), options if isinstance(options, ModelOptions) else ModelOptions()), text)


add_resolver(_resolver)
