"""The SDNN's training recipe: its stages in order, each with the distortion it trains under."""

from __future__ import annotations

from dataclasses import replace

from viz_app.models.recipes import Distortion, StringRecipe, StringStage
from viz_app.models.zoo.sdnn import SDNN_SPEC


def _recipe() -> StringRecipe:
    assert isinstance(SDNN_SPEC.recipe, StringRecipe)
    return SDNN_SPEC.recipe


def test_the_stages_are_the_first_scan_then_each_fine_stage_in_order() -> None:
    recipe = _recipe()
    got = recipe.stages()
    assert len(got) == 1 + len(recipe.fine) and got[1:] == list(recipe.fine)
    assert got[0].stride == 4 and got[0].lr == recipe.lr and got[0].epochs == recipe.epochs
    assert got[0].touching_share == recipe.touching_share and got[0].augment is None
    assert all(stage.stride == 2 for stage in got[1:])
    assert recipe.stages(epochs=1)[0].epochs == 1 and recipe.stages(epochs=1)[1:] == got[1:]


def test_a_stage_distorts_as_its_own_augment_says_else_as_the_recipe() -> None:
    own = Distortion(8.0, (0.85, 1.1), 0.25, (-1, 1))
    mild = Distortion(3.0, (0.95, 1.05), 0.05, (0, 0))
    recipe = replace(_recipe(), augment=own)
    assert recipe.distortion(StringStage(epochs=1, lr=1e-3)) == own
    assert recipe.distortion(StringStage(epochs=1, lr=1e-4, augment=mild)) == mild


def test_the_last_stages_distort_less_than_the_first() -> None:
    recipe = _recipe()
    first, *_, last = recipe.stages()
    a, b = recipe.distortion(first), recipe.distortion(last)
    assert b.degrees < a.degrees and b.shear < a.shear and b.thickness == (0, 0)


def test_an_averaging_stage_ends_on_the_mean_of_its_snapshots(monkeypatch, mnist_test) -> None:
    """``average=2`` keeps a constant rate and takes the weights twice an epoch after the first;
    the stage ends with their mean, not with the last step's weights."""
    import numpy as np
    import torch

    from viz_app.models.zoo.sdnn import SDNN
    from viz_app.training import train_strings as ts

    recipe = replace(_recipe(), steps_per_epoch=4, batch_size=2)
    stage = StringStage(epochs=2, lr=1e-3, stride=2, touching_share=0.5, average=2)
    torch.manual_seed(0)
    model = SDNN(c1=2, c3=4, c5=8, f6=8)
    snapshots, rates = [], []
    real_step = torch.optim.AdamW.step

    def step(self, *args, **kwargs):
        out = real_step(self, *args, **kwargs)
        snapshots.append({k: v.detach().clone() for k, v in model.state_dict().items()})
        rates.append(self.param_groups[0]["lr"])
        return out

    monkeypatch.setattr(torch.optim.AdamW, "step", step)
    ts._fit(model, mnist_test, recipe, stage, np.random.default_rng(0), torch.device("cpu"), log=lambda _: None)
    assert len(snapshots) == 8 and set(rates) == {1e-3}  # two epochs of four steps, the rate constant
    taken = [snapshots[5], snapshots[7]]  # epoch 2, after steps 2 and 4
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, (taken[0][name] + taken[1][name]) / 2)
    assert not torch.equal(model.state_dict()["output.weight"], snapshots[-1]["output.weight"])
