"""Data sets, training and evaluation behind `cnn-viz train` and `cnn-viz eval` (no Qt here)."""
