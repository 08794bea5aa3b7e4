"""cnn-viz: watch a convolutional network think, layer by layer, live."""

__version__ = "0.1.0"
