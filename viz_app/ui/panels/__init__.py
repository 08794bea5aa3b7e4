"""One widget per panel; each takes a FrameResult (or a part of one) and draws it."""
