"""What a frame's pixels become for the model shown, chosen by the frame's kind and layout.

A photo becomes the digit's ink (a one-channel model) or the RGB centre crop of its region of
interest; ink and data set digits go in as they are. A digit model gets MNIST's 28x28 field of
centred ink (a prepared field as it is, where it is: the demo's shift must reach the network);
a string reader gets the 32-pixel strip, padded on the right to a whole ``STRIP_QUANTUM`` so
that the layers change shape once per quantum, not per stroke.
"""

from __future__ import annotations

import numpy as np

from viz_app.errors import UserError
from viz_app.inputs.digit import FIELD, mnist_digit
from viz_app.inputs.photo import crop, network_image
from viz_app.inputs.strip import STRIP_HEIGHT, NoInkError, StripError, strip_pixels
from viz_app.records.frames import Frame, FrameKind

BLANK_STRIP_WIDTH = 64  # a blank string frame: an empty strip as wide as a first digit's (no re-layout at the first stroke)
STRIP_QUANTUM = 64  # a string's strip is padded to a multiple of this width: a new shape costs the maps a re-layout


class InputError(UserError, ValueError):
    """A frame that cannot become the network's input (a region of interest off the image,
    an image of an odd shape): the user's to fix, said in a message, never a crash."""


def network_pixels(frame: Frame, channels: int) -> np.ndarray:
    """The frame's pixels as the current model wants them: a photo becomes the digit's ink
    (``channels == 1``) or the RGB centre crop of its ROI; pad ink and data set digits as they are."""
    if frame.kind is not FrameKind.PHOTO:
        return frame.image
    try:
        return network_image(frame.image, frame.roi, channels)
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def digit_field(image: np.ndarray, centre: bool = True) -> tuple[np.ndarray, bool]:
    """(MNIST's 28x28 field of ``image``'s ink, whether there was none): the ink's box scaled into
    20x20 and centred by its centre of mass; ``centre=False`` takes a 28x28 field as it is."""
    gray = image if image.ndim == 2 else image.max(axis=2)
    if not centre and gray.shape == (FIELD, FIELD):
        return gray, not gray.any()
    digit = mnist_digit(gray)
    if digit is None:
        return np.zeros((FIELD, FIELD), np.uint8), True
    return digit, False


def string_pixels(frame: Frame) -> tuple[np.ndarray, bool]:
    """(a string reader's pixels of ``frame``, whether it was blank): the 32 x W strip, or a
    prepared 28x28 field as it is (the demo's scenes: a shift stays a shift). Pad ink and data
    set digits are clean ink; a photo's region of interest is looked at for ink as a photo. A
    picture without ink is a blank strip; one that cannot be read (a string far too long) is an
    InputError with the reason."""
    gray = frame.image if frame.image.ndim == 2 else frame.image.max(axis=2)
    if frame.kind is FrameKind.PREPARED and gray.shape == (FIELD, FIELD):
        return gray, not gray.any()
    photo = frame.kind is FrameKind.PHOTO
    if not photo and not gray.any():
        return _blank_strip(), True
    try:
        pixels = strip_pixels(crop(frame.image, frame.roi) if photo else gray, clean=not photo).pixels
    except NoInkError:
        return _blank_strip(), True
    except (StripError, ValueError) as exc:  # far too long; a region of interest off the image
        raise InputError(str(exc)) from exc
    width = -(-pixels.shape[1] // STRIP_QUANTUM) * STRIP_QUANTUM
    if width != pixels.shape[1]:  # background on the right
        pixels = np.pad(pixels, ((0, 0), (0, width - pixels.shape[1])))
    return pixels, False


def _blank_strip() -> np.ndarray:
    """An empty strip, so the layers keep a string's shape."""
    return np.zeros((STRIP_HEIGHT, BLANK_STRIP_WIDTH), np.uint8)
