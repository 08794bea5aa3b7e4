"""The zoo's shared training recipe (what `cnn-viz train NAME` does unless a family says otherwise)."""

from __future__ import annotations

from viz_app.models.recipes import AffineRange, ClassifierRecipe

# Per-sample random affine distortions of the training digits (viz_app.training.augment).
AUGMENT = AffineRange(degrees=8.0, translate=0.06, scale=(0.92, 1.08), shear=6.0)
AUGMENT_STRONG = AffineRange(degrees=10.0, translate=0.1, scale=(0.9, 1.1), shear=8.0)

# AdamW with a one-cycle learning rate and a little label smoothing; families replace fields
# (dataclasses.replace(RECIPE, epochs=8)).
RECIPE = ClassifierRecipe(epochs=5, batch_size=128, lr=4e-3, weight_decay=1e-4, label_smoothing=0.05, augment=AUGMENT)
