"""Panels that explain one class score refuse a string reader with a message, not a failure per frame."""

from __future__ import annotations

import pytest

from viz_app.errors import UserError
from viz_app.models import load_model
from viz_app.probe.extras import make_extra


@pytest.mark.parametrize(("key", "panel"), [("augment", "augmentation panel"), ("saliency", "Looks-at panel")])
def test_class_score_extras_refuse_the_sdnn_by_name(key: str, panel: str) -> None:
    with pytest.raises(UserError, match=f"the {panel} needs one score per class; SDNN.* reads a string"):
        make_extra(key, load_model("sdnn", "cpu"), {})
    make_extra(key, load_model("lenet5", "cpu"), {}).close()  # a one-digit model still gets it
