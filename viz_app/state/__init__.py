"""The app's state without Qt or torch: how models run (``options``) and what the window shows."""
