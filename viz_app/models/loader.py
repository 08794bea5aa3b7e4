"""Building a registered model on a device with its weights, never failing on bad weights."""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import tempfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from viz_app.models.device import describe
from viz_app.models.registry import ModelSpec, get_spec
from viz_app.models.weights import WeightsError, allowance, apply_state_dict, read_card, read_state_dict
from viz_app.paths import assets_dir
from viz_app.records.frames import ModelInfo

UNTRAINED = "untrained weights"
Progress = Callable[[int, int], None]  # (bytes done, bytes in all or 0 when unknown)
Downloader = Callable[[str, Path, Progress | None], None]

# Cache files whose download failed in this session: offline, each model switch would wait
# again. Keyed by the cache file, so another cache ($TORCH_HOME) is tried afresh.
_failed_downloads: set[Path] = set()


@dataclass
class LoadedModel:
    """A model in eval mode on its device, with where its weights came from."""

    spec: ModelSpec
    model: nn.Module
    device: torch.device
    weights: str
    trained: bool
    card: dict[str, Any]
    warnings: tuple[str, ...]

    def info(self) -> ModelInfo:
        """What the window shows about this model (a plain record: no torch in the window)."""
        return ModelInfo(
            name=self.spec.name,
            title=self.spec.title,
            group=self.spec.group,
            device=describe(self.device),
            classes=self.spec.classes,
            input_size=self.spec.input.size,
            channels=self.spec.input.channels,
            weights=self.weights,
            trained=self.trained,
            accuracy=self.card.get("test_accuracy"),
            accuracy_on=self.card.get("test_set", "the MNIST test set"),
            parameters=sum(p.numel() for p in self.model.parameters()),
            warnings=self.warnings,
            head=self.spec.head,
        )


def default_weights_path(spec: ModelSpec) -> Path | None:
    """The shipped weights file of a spec (assets/), or torch's cache file of published weights."""
    if spec.weights.file:
        return assets_dir() / spec.weights.file
    if spec.weights.url:
        return cached_weights_path(spec.weights.url)
    return None


def load_model(
    name: str | ModelSpec,
    device: torch.device | str = "cpu",
    weights: str | Path | None = None,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    download: Downloader | None = None,
) -> LoadedModel:
    """Build ``name`` on ``device`` with ``weights`` (default: the shipped or published file).

    Published weights (``spec.weights.url``) come from torch's cache, downloaded there once
    when missing; ``progress(done, total)`` reports the download's bytes (total 0: unknown)
    and ``download`` replaces the downloader (tests). With ``strict=False`` a missing or bad
    weights file or a failed download leaves the model untrained and says so in
    ``warnings``; with ``strict=True`` it raises WeightsError.
    """
    spec = get_spec(name) if isinstance(name, str) else name
    device = torch.device(device)
    # A user's model names its weights on purpose: weights that do not fit are an error, not a fallback.
    strict = strict or (spec.group == "Your models" and (weights is not None or spec.weights.file is not None))
    model = spec.build()
    warnings: list[str] = []
    path = Path(weights) if weights is not None else default_weights_path(spec)
    if weights is None and spec.weights.url and path is not None and not path.is_file():
        path = _fetch(spec, path, progress, download or download_file, warnings, strict)
    card: dict[str, Any] = {}
    source, trained = UNTRAINED, False
    if path is None and spec.weights.own is not None:
        source, trained = spec.weights.own, True
    elif path is None and spec.group == "Your models":
        warnings.append(f"{spec.title}: no weights file given (--weights or the sidecar's \"weights\"): showing the weights the model file builds")
    elif path is None:
        if not warnings:
            warnings.append(f"{spec.name} ships no trained weights: showing untrained weights")
    else:
        try:
            state = read_weights(path, allowance(model), spec.name)
            if spec.weights.adapt_state_dict is not None:
                state = spec.weights.adapt_state_dict(state)
            warnings.extend(apply_state_dict(model, state, path.name))
            source, trained = str(path), True
            card = read_card(path) if spec.weights.file or weights is not None else _published_card(spec)
        except WeightsError as exc:
            if strict:
                raise
            hint = " (delete it to download it again)" if weights is None and spec.weights.url else ""
            warnings.append(f"{exc}{hint}; showing untrained weights instead")
    model.eval().requires_grad_(False).to(device)
    return LoadedModel(spec, model, device, source, trained, card, tuple(warnings))


def reload_weights(loaded: LoadedModel, path: Path) -> None:
    """Read ``path`` again into the model shown, in place (its hooks stay): weights trained live,
    written to the same file. The same checks as a first load; a WeightsError leaves the model as it was."""
    state = read_weights(path, allowance(loaded.model), loaded.spec.name)
    if loaded.spec.weights.adapt_state_dict is not None:
        state = loaded.spec.weights.adapt_state_dict(state)
    apply_state_dict(loaded.model, state, path.name)


def read_weights(path: Path, max_bytes: int, label: str) -> dict[str, torch.Tensor]:
    """A state dict from a PyTorch weights file, or from a ``.safetensors`` file (tensors only by design)."""
    if path.suffix.lower() != ".safetensors":
        return read_state_dict(path, max_bytes, label)
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path}")
    if path.stat().st_size > max_bytes:
        raise WeightsError(f"{path.name} is too large for {label}: is it the weights of another model?")
    try:
        from safetensors.torch import load_file
    except ImportError as exc:
        raise WeightsError("reading .safetensors needs the safetensors package (pip install safetensors)") from exc
    try:
        return load_file(str(path), device="cpu")
    except Exception as exc:  # safetensors raises its own SafetensorError on damaged headers
        raise WeightsError(f"{path.name} is not a readable safetensors file (damaged or cut short?)") from exc


def _fetch(
    spec: ModelSpec, path: Path, progress: Progress | None, download: Downloader, warnings: list[str], strict: bool
) -> Path | None:
    """Download published weights into torch's cache; None (and a warning) when that fails."""
    url = spec.weights.url
    assert url is not None
    if path in _failed_downloads:
        warnings.append(f"{spec.name}: the pretrained weights could not be downloaded earlier; showing untrained weights instead")
        return None
    try:
        download(url, path, progress)
    except (DownloadError, OSError, ValueError) as exc:
        _failed_downloads.add(path)
        if strict:
            raise WeightsError(f"could not download the weights of {spec.name}: {exc}") from exc
        warnings.append(
            f"{spec.name}: could not download the pretrained weights ({exc}); put {path.name} into "
            f"{path.parent} or open a weights file; showing untrained weights instead"
        )
        return None
    return path


def _published_card(spec: ModelSpec) -> dict[str, Any]:
    """What torchvision says about its weights, in the keys of the project's model cards."""
    acc = spec.weights.meta.get("acc@1")
    card: dict[str, Any] = {"weights": spec.weights.meta.get("weights"), "source": spec.weights.url}
    if acc is not None:
        card |= {"test_accuracy": acc / 100.0, "test_set": "ImageNet-1K validation (torchvision)"}
    return card


class DownloadError(OSError):
    """A download that did not give a complete, intact file."""


_HASH = re.compile(r"-([a-f0-9]+)\.")  # torch hub's file names carry a SHA-256 prefix
CHUNK = 1 << 16
TIMEOUT_S = 15.0


def cached_weights_path(url: str) -> Path:
    """Where torch keeps the file of ``url``: $TORCH_HOME/hub/checkpoints/<basename>."""
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(url.split("?")[0])


def download_file(url: str, dest: Path, progress: Progress | None = None, timeout: float = TIMEOUT_S) -> None:
    """Fetch ``url`` into ``dest`` atomically, checking torch hub's hash prefix in the name.

    The bytes go to a temporary file beside ``dest`` that is renamed only once complete and
    intact, so an interrupted download never leaves a truncated cache file.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    expected = _HASH.search(dest.name)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (https only)
            total = int(response.headers.get("Content-Length") or 0)
            done, reported = 0, -1
            while chunk := response.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                # At most ~1000 reports (per mille, or per MiB when the size is unknown).
                step = done * 1000 // total if total else done >> 20
                if progress is not None and (step != reported or done == total):
                    reported = step
                    progress(done, total)
        if total and done != total:
            raise DownloadError(f"download of {dest.name} stopped at {done:,} of {total:,} bytes")
        if expected and not digest.hexdigest().startswith(expected.group(1)):
            raise DownloadError(f"{dest.name} arrived corrupted (its SHA-256 does not match)")
        tmp.replace(dest)
    except DownloadError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise DownloadError(str(getattr(exc, "reason", None) or exc)) from exc
    finally:
        tmp.unlink(missing_ok=True)
