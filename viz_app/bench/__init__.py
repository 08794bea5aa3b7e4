"""Benchmarks behind `cnn-viz bench` and the synthetic inputs (photos, videos) they and the tests use.

Nothing in the app imports this package; it drives the app from outside.
"""
