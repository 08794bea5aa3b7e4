"""Many device tensors to the host in one copy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

_ALIGN = 8


def to_host(tensors: Sequence[torch.Tensor]) -> list[np.ndarray]:
    """Copy tensors of any dtype and shape to numpy with ONE device-to-host transfer.

    Each tensor is reinterpreted as bytes, the bytes are concatenated on the device, copied
    once, and split back into arrays of the original dtypes and shapes (views of one buffer).
    """
    parts, layout, offset = [], [], 0
    for t in tensors:
        raw = t.detach().contiguous().reshape(-1).view(torch.uint8)
        pad = -raw.numel() % _ALIGN
        parts.append(raw)
        if pad:
            parts.append(raw.new_zeros(pad))
        layout.append((offset, raw.numel(), t.dtype, tuple(t.shape)))
        offset += raw.numel() + pad
    if not parts:
        return []
    host = torch.cat(parts).cpu().numpy()
    out = []
    for start, size, dtype, shape in layout:
        np_dtype = torch.empty(0, dtype=dtype).numpy().dtype
        out.append(host[start : start + size].view(np_dtype).reshape(shape))
    return out
