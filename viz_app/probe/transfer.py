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
    From a CUDA device the copy goes into page-locked (pinned) host memory, asynchronously,
    and the frame waits once, on the copy stream's event; on the CPU nothing is copied twice.
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
    host = _copy_to_host(torch.cat(parts)).numpy()
    out = []
    for start, size, dtype, shape in layout:
        np_dtype = torch.empty(0, dtype=dtype).numpy().dtype
        out.append(host[start : start + size].view(np_dtype).reshape(shape))
    return out


def _copy_to_host(flat: torch.Tensor) -> torch.Tensor:
    """A 1-D uint8 tensor on the host with ``flat``'s bytes.

    CUDA: a fresh pinned buffer per frame (PyTorch's caching host allocator reuses freed ones;
    a buffer shared between frames would be overwritten under arrays the GUI still shows),
    filled with a non-blocking copy, then one synchronisation on an event of the current stream.
    """
    if flat.device.type != "cuda":
        return flat.cpu()
    host = torch.empty(flat.shape, dtype=flat.dtype, pin_memory=True)
    host.copy_(flat, non_blocking=True)
    done = torch.cuda.Event()
    done.record(torch.cuda.current_stream(flat.device))
    done.synchronize()
    return host
