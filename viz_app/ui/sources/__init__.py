"""Widgets of the camera, file and MNIST sources (numpy in, signals out; no torch here)."""
