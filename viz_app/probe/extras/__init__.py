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

import importlib
from typing import Any

from viz_app.models.counting import COUNTING
from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.base import ExtraContext, ExtraFactory, FrameExtra

# key -> "module:class", imported when a panel first asks for it (the augmentations bring in
# torchvision's transforms, a second at start-up that a window without that panel never needs).
EXTRAS: dict[str, str] = {
    "se": "viz_app.probe.extras.se:SEExtra",
    "augment": "viz_app.probe.extras.augment:AugmentExtra",
    "unit": "viz_app.probe.extras.unit:UnitExtra",
    "filters": "viz_app.probe.extras.filters:FiltersExtra",
    "saliency": "viz_app.probe.extras.saliency:SaliencyExtra",
    "sdnn": "viz_app.probe.extras.strings:StringExtra",
}


def extra_factory(key: str) -> ExtraFactory:
    """The class registered under ``key``, imported now; raises KeyError if unknown."""
    try:
        module, _, name = EXTRAS[key].partition(":")
    except KeyError:
        raise KeyError(f"unknown extra {key!r}; known: {', '.join(EXTRAS)}") from None
    factory: ExtraFactory = getattr(importlib.import_module(module), name)
    return factory


def make_extra(key: str, loaded: LoadedModel, params: dict[str, Any]) -> FrameExtra:
    """Build the extra ``key`` for a freshly loaded model; raises KeyError if unknown."""
    with COUNTING.running():  # its set-up may run the model (and autograd): not while a cost table counts
        return extra_factory(key)(loaded, params)


__all__ = ["EXTRAS", "ExtraContext", "ExtraFactory", "FrameExtra", "extra_factory", "make_extra"]
