"""The zoo's shared training recipe (what `cnn-viz train NAME` does unless a family says otherwise)."""

from __future__ import annotations

from typing import Any

# Per-sample random affine distortions of the training digits (viz_app.training.augment).
AUGMENT: dict[str, Any] = {"degrees": 8.0, "translate": 0.06, "scale": [0.92, 1.08], "shear": 6.0}
AUGMENT_STRONG: dict[str, Any] = {"degrees": 10.0, "translate": 0.1, "scale": [0.9, 1.1], "shear": 8.0}

# AdamW with a one-cycle learning rate and a little label smoothing; families override keys.
RECIPE: dict[str, Any] = {"epochs": 5, "batch_size": 128, "optimizer": "AdamW", "lr": 4e-3, "weight_decay": 1e-4,
                          "schedule": "OneCycle", "label_smoothing": 0.05, "augment": AUGMENT}  # fmt: skip
