"""One widget per panel; each takes a FrameResult (or a part of one) and draws it.

The insight panels in the side tabs keep ``base.Panel`` and are listed, one typed line each, in
``viz_app.state.panels.PANELS`` (Qt-free, so the CLI can read it without importing any widget).
"""
