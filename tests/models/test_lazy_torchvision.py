"""Listing and opening the MNIST models never imports torchvision (about a second at start-up)."""

from __future__ import annotations

import subprocess
import sys

import pytest

FULL = "import sys, viz_app.models as m; m.list_specs(); m.get_spec('resnet18'); m.load_model('lenet5', 'cpu')"


def _imports_torchvision(code: str) -> bool:
    out = subprocess.run([sys.executable, "-c", code + "; print('torchvision' in sys.modules)"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1] == "True"


@pytest.mark.slow
def test_the_imagenet_specs_are_listed_without_torchvision() -> None:
    # The ImageNet family alone: its specs, aliases and published-weights fields.
    code = "import sys, viz_app.models.imagenet as i, viz_app.models.registry as r; s = r.get_spec('resnet18'); assert len(s.classes) == 1000"
    assert not _imports_torchvision(code)


@pytest.mark.slow
def test_listing_the_models_and_opening_lenet5_leave_torchvision_unimported() -> None:
    assert not _imports_torchvision(FULL)
    assert _imports_torchvision(FULL + "; m.get_spec('resnet18').build()")


@pytest.mark.slow
def test_the_window_starts_lenet5_without_torchvision() -> None:
    # Everything the window imports to show LeNet-5: the session, the pipeline and its extras' registry.
    code = (
        "import sys, viz_app.app.session, viz_app.probe.pipeline as p, viz_app.probe.extras as e, viz_app.models as m; "
        "p.Pipeline(m.load_model('lenet5', 'cpu'), [name for name, _ in m.get_spec('lenet5').layers])"
    )
    assert not _imports_torchvision(code)
