"""Plain, immutable records that cross threads and layers: frames, results, costs, panel records.

Nothing here imports torch or Qt, so the window, the worker and the core can all share them.
"""
