"""The composition root: the window, the inference worker and the sources wired together.

This is the only package that knows both torch and Qt.
"""
