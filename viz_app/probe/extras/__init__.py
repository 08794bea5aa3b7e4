"""Per-frame computations beyond the feature maps, one module each, registered here by key.

An extra computes device tensors from the frame's forward pass (``compute``); the pipeline
copies them to the host with everything else (one transfer per frame) and hands the numpy
arrays back to the extra's ``unpack``, which makes the numpy-only record a panel receives in
``FrameResult.extras[key]``. The protocol is in ``base.py``; an extra that needs a gradient
(the saliency maps) says where with ``grad_at`` and gets it from the frame's own forward.

A new extra is one module here and one line in ``EXTRAS``, under the key its panel asks for
(``viz_app.ui.panels.registry``).
"""

from __future__ import annotations

from typing import Any

from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.augment import AugmentExtra
from viz_app.probe.extras.base import ExtraContext, ExtraFactory, FrameExtra
from viz_app.probe.extras.filters import FiltersExtra
from viz_app.probe.extras.saliency import SaliencyExtra
from viz_app.probe.extras.se import SEExtra
from viz_app.probe.extras.strings import StringExtra
from viz_app.probe.extras.unit import UnitExtra

EXTRAS: dict[str, ExtraFactory] = {
    "se": SEExtra,
    "augment": AugmentExtra,
    "unit": UnitExtra,
    "filters": FiltersExtra,
    "saliency": SaliencyExtra,
    "sdnn": StringExtra,
}


def make_extra(key: str, loaded: LoadedModel, params: dict[str, Any]) -> FrameExtra:
    """Build the extra ``key`` for a freshly loaded model; raises KeyError if unknown."""
    try:
        factory = EXTRAS[key]
    except KeyError:
        raise KeyError(f"unknown extra {key!r}; known: {', '.join(EXTRAS)}") from None
    return factory(loaded, params)


__all__ = ["EXTRAS", "ExtraContext", "ExtraFactory", "FrameExtra", "make_extra"]
