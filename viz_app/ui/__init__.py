"""Widgets and panels. Nothing here imports torch: the window sees numpy arrays and records."""
