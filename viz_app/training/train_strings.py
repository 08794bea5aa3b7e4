"""Training the space-displacement network on composed strings with CTC.

Every step composes a fresh batch of strings from MNIST training digits (0-6 digits each,
each gap drawn between overlapping and wide, each digit slightly rotated, scaled, sheared,
thickened or thinned; all from one seeded generator), prepares them as the reader does
(``viz_app.models.strings``) and scores the network's columns against the strings' text
with the connectionist temporal classification loss (Graves et al. 2006), whose eleventh
class is the blank, "no digit centred here". CTC sums over every way of aligning the text
with the columns (runs of a digit, blanks between): it is the modern equal of the 1998
paper's discriminative training of a graph transformer network (LeCun et al. 1998, section
VI), which also scored the whole string through a graph of segmentations instead of
labelling each column by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from viz_app.errors import UserError
from viz_app.files import atomic_path
from viz_app.models.decode import read_batch
from viz_app.models.recipes import Distortion, StringRecipe, StringStage
from viz_app.models.registry import ModelSpec
from viz_app.models.strings import make_strip, normalise_strip
from viz_app.models.weights import write_card
from viz_app.models.zoo.sdnn import BLANK
from viz_app.training.cards import activation_ranges, provenance
from viz_app.training.mnist import Digits
from viz_app.training.strings import random_string


def strings_batch(
    source: Digits, size: int, rng: np.random.Generator, max_digits: int, distortion: Distortion | None, touching_share: float = 0.45
) -> tuple[torch.Tensor, list[str]]:
    """``size`` composed training strips, N x 1 x 32 x W (padded with background), and their text."""
    # One length per batch: strips of one length have about one width, so little is padding.
    lengths = np.full(size, rng.choice(np.arange(max_digits + 1), p=_length_weights(max_digits)))
    strips, texts = [], []
    for n in lengths:
        s = random_string(source, int(n), "mixed", rng, distortion, touching_share=touching_share)
        strips.append(make_strip(s.ink, clean=True).pixels if s.text else np.zeros((32, 32 + 4 * int(rng.integers(0, 16))), np.uint8))
        texts.append(s.text)
    width = max(p.shape[1] for p in strips)
    pixels = np.zeros((size, 32, width), np.uint8)
    for i, p in enumerate(strips):
        pixels[i, :, : p.shape[1]] = p
    return normalise_strip(pixels), texts


def _length_weights(max_digits: int) -> np.ndarray:
    """A few empty strips and lone digits, then strings of 2 to ``max_digits`` equally often."""
    w = np.ones(max_digits + 1)
    w[0], w[1] = 0.15, 0.6
    return w / w.sum()


def ctc_loss(logits: torch.Tensor, texts: list[str]) -> torch.Tensor:
    """CTC loss of N x 11 x T logits against the strings' digits (blank = class 10)."""
    log_probs = F.log_softmax(logits, dim=1).permute(2, 0, 1)  # T x N x 11
    targets = torch.tensor([int(c) for t in texts for c in t], dtype=torch.long)
    target_lengths = torch.tensor([len(t) for t in texts], dtype=torch.long)
    input_lengths = torch.full((len(texts),), log_probs.shape[0], dtype=torch.long)
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=BLANK, zero_infinity=True)


def train_strings(
    spec: ModelSpec,
    train_set: Digits,
    test_set: Digits,
    out: Path,
    *,
    epochs: int | None = None,
    seed: int = 0,
    device: torch.device | str = "cpu",
    limit: int | None = None,
    log: Callable[[str], None] = print,
    resume: tuple[Path, float, int] | None = None,
) -> dict[str, Any]:
    """Train ``spec`` (a string model) from scratch and write ``out`` plus its card; the card.

    ``resume`` (weights, seconds, stages done) takes the weights of the first stages as already
    trained with this recipe and seed, and runs the later stages only (the card counts all the time).
    """
    if epochs is not None and epochs < 1:
        raise UserError(f"epochs must be 1 or more, got {epochs}")
    if limit is not None and limit < 1:
        raise UserError(f"limit must be 1 or more images, got {limit}")
    if not isinstance(spec.recipe, StringRecipe):
        raise UserError(f"{spec.name} is not trained as a string reader here")
    recipe = spec.recipe
    epochs = recipe.epochs if epochs is None else epochs
    source = Digits(train_set.images[:limit], train_set.labels[:limit], train_set.checksum) if limit else train_set
    torch.manual_seed(seed)
    model = spec.build().to(device)
    started = time.perf_counter()
    earlier = 0.0
    for i, stage in enumerate(recipe.stages(epochs)):
        if resume is not None and i < resume[2]:
            if i == resume[2] - 1:
                model.load_state_dict(torch.load(resume[0], map_location=device, weights_only=True))
                earlier = resume[1]
            continue
        _scan_stride(model, stage.stride)
        _fit(model, source, recipe, stage, np.random.default_rng(seed if i == 0 else [seed, i]), torch.device(device), log)
    _scan_stride(model, 2)
    seconds = time.perf_counter() - started + earlier
    model.eval().cpu()
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as part:  # a full disk leaves no truncated weights under ``out``
        torch.save({k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}, part)
    card = _card(spec, model, test_set, log) | {
        "recipe": recipe.as_card() | {"epochs": epochs, "train_samples": len(source)},
        "seed": seed,
        "train_seconds": round(seconds, 1),
        "data": {"train_sha256": train_set.checksum, "test_sha256": test_set.checksum},
    }
    write_card(out, card)
    return card


def _card(spec: ModelSpec, model: nn.Module, test_set: Digits, log: Callable[[str], None]) -> dict[str, Any]:
    """What the trained model reaches (strings and lone digits) and what it is, for its card."""
    from viz_app.training.string_eval import evaluate_sdnn, lone_digit_accuracy

    strings = evaluate_sdnn(model, test_set)
    single = lone_digit_accuracy(model, test_set)
    log(f"strings: {strings['string_accuracy']:.2%} read exactly, digits {strings['digit_accuracy']:.2%}; lone digits {single:.2%}")
    return {
        "model": spec.name,
        "title": spec.title,
        "test_accuracy": single,
        "test_set": "the MNIST test digits, one at a time (T = 1)",
        "test_errors": round((1.0 - single) * len(test_set)),
        "n_test": len(test_set),
        "strings": strings,
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_device": f"cpu ({torch.get_num_threads()} threads)",
        "activation_ranges": activation_ranges(model, spec, test_set),
    } | provenance(spec)


def _scan_stride(model: nn.Module, stride: int) -> None:
    """Set a space-displacement network's output stride (a model without one keeps its own)."""
    scan = getattr(model, "scan_stride", None)
    if callable(scan):
        scan(stride)


def _fit(
    model: nn.Module, source: Digits, recipe: StringRecipe, stage: StringStage, rng: np.random.Generator, device: torch.device, log: Callable[[str], None]
) -> None:
    """AdamW over the stage's epochs x ``steps_per_epoch`` fresh batches: a one-cycle schedule,
    or, for a stage with ``average=k``, a constant rate whose weights are averaged k times an
    epoch after the first (stochastic weight averaging, Izmailov et al. 2018)."""
    steps, batch, epochs, share = recipe.steps_per_epoch, recipe.batch_size, stage.epochs, stage.touching_share
    max_digits = recipe.digits_per_string[1]
    distortion = recipe.distortion(stage)
    optimizer = torch.optim.AdamW(model.parameters(), lr=stage.lr, weight_decay=recipe.weight_decay)
    schedule = _schedule(optimizer, stage, epochs * steps)
    every = max(1, steps // stage.average) if stage.average else 0
    averaged = torch.optim.swa_utils.AveragedModel(model) if every else None
    started = time.perf_counter()
    # The next batch is composed on a second thread while this one trains (one generator, in order).
    with ThreadPoolExecutor(1) as pool:
        ahead = pool.submit(strings_batch, source, batch, rng, max_digits, distortion, share)
        for epoch in range(epochs):
            model.train()
            total, right, seen = 0.0, 0, 0
            for step in range(steps):
                x, texts = ahead.result()
                ahead = pool.submit(strings_batch, source, batch, rng, max_digits, distortion, share)
                logits = model(x.to(device))
                loss = ctc_loss(logits.cpu(), texts)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                if averaged is not None and epoch > 0 and (step + 1) % every == 0:
                    averaged.update_parameters(model)
                total += float(loss.detach())
                right += sum(a == b for a, b in zip(read_batch(logits), texts))
                seen += len(texts)
            elapsed = time.perf_counter() - started
            loss_text = f"CTC loss {total / steps:.4f}  strings read exactly {right / seen:.2%}"
            log(f"stride {stage.stride}: epoch {epoch + 1}/{epochs}  {loss_text}  ({elapsed:.0f} s)")
    if averaged is not None and int(averaged.n_averaged) > 0:  # no batch norm here: the average is the model
        model.load_state_dict(averaged.module.state_dict())


def _schedule(optimizer: torch.optim.Optimizer, stage: StringStage, total: int) -> torch.optim.lr_scheduler.LRScheduler:
    """One cycle up to the stage's rate and down; a constant rate for an averaging stage."""
    if stage.average:
        return torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=stage.lr, total_steps=total, pct_start=0.15)
