"""Per-frame computations beyond the feature maps, one module each, found through the panel registry.

An extra computes device tensors from the frame's forward pass (``compute``); the pipeline
copies them to the host with everything else (one transfer per frame) and hands the numpy
arrays back to the extra's ``unpack``, which makes the numpy-only record a panel receives in
``FrameResult.extras[key]``. The protocol is in ``base.py``; an extra that needs a gradient
(the saliency maps) says where with ``grad_at`` and gets it from the frame's own forward.

Which class computes a panel's record is said by its line in ``viz_app.state.panels`` (the one
registry of panels), and imported when a panel first asks for it (the augmentations bring in
torchvision's transforms, a second at start-up that a window without that panel never needs).
"""

from __future__ import annotations

from viz_app.models.counting import COUNTING
from viz_app.models.loader import LoadedModel
from viz_app.probe.extras.base import ExtraContext, ExtraFactory, FrameExtra
from viz_app.state.panels import panel_spec


def extra_factory(key: str) -> ExtraFactory:
    """The class that computes panel ``key``'s record, imported now; raises KeyError if unknown."""
    factory: ExtraFactory = panel_spec(key).load_extra()
    return factory


def make_extra(key: str, loaded: LoadedModel, params: object = None) -> FrameExtra:
    """Build panel ``key``'s extra for a loaded model with ``params`` (the panel's parameters
    dataclass, a mapping of its fields, or None for its defaults). A KeyError for an unknown
    panel, a ValueError for parameters it does not take or out of range."""
    spec = panel_spec(key)
    typed = spec.make_params(params)
    with COUNTING.running():  # its set-up may run the model (and autograd): not while a cost table counts
        return extra_factory(key)(loaded, typed)


__all__ = ["ExtraContext", "ExtraFactory", "FrameExtra", "extra_factory", "make_extra"]
