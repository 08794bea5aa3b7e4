"""Forward hooks, on-device mosaics and the per-frame pipeline (no Qt here)."""
