"""From a source's frame to the pixels a network eats, without torch or Qt (numpy and OpenCV).

A frame says what its pixels are (``FrameKind``: ink, a photo, a prepared field) and what they
hold (``Layout``: one digit or a string); here they become what the model shown wants: a
photo's ink or its RGB crop (``photo``), MNIST's 28x28 field of centred ink (``digit``), the
32-pixel strip a string reader reads (``strip``), chosen per frame in ``frame``. The torch side
(normalisation, tensors, the device) is ``viz_app.models.inputs``.
"""
