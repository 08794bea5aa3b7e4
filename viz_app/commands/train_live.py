"""`cnn-viz train-live`: a zoo model learning MNIST live, headless: its curves, step by step.

Prints a line every ``--every`` seconds (the loss, this batch's accuracy, the accuracy on 1,000
held-out test digits, examples per second), then the seconds it took to reach 90, 95, 97 and
98 % on them, and the whole test set's accuracy at the end. ``--json``: one object with the
curve. ``--save FILE`` writes the weights and a model card that records the recipe.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from viz_app.arguments import output_file, positive_float, positive_int

MARKS = (0.90, 0.95, 0.97, 0.98)  # held-out accuracies whose first time is reported


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-live", help="train a zoo model on MNIST and print its curves as it learns (what the Train panel shows)",
                       description=__doc__.split("\n\n")[1] if __doc__ else None)  # fmt: skip
    p.set_defaults(command="train_live")
    p.add_argument("name", help="a zoo model (see `cnn-viz models`), e.g. lenet5, vgg, vgg_bn")
    p.add_argument("--seconds", type=positive_float, default=30.0, help="how long to train (default 30)")
    p.add_argument("--from", dest="start", choices=("random", "shipped"), default="random", help="random weights (default) or the shipped ones")
    p.add_argument("--optimiser", choices=("adam", "momentum", "sgd"), default="adam")
    p.add_argument("--lr", type=positive_float, help="learning rate (default: 0.001 for adam, 0.05 with momentum, 0.1 for sgd)")
    p.add_argument("--batch-size", type=positive_int, default=64)
    p.add_argument("--augment", action="store_true", help="distort each training digit a little (rotation, shift, scale, shear)")
    p.add_argument("--every", type=positive_float, default=2.0, help="seconds between two scores on the held-out digits (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", type=Path, help="folder with the four MNIST IDX .gz files (default: $CNN_VIZ_DATA or download)")
    p.add_argument("--save", type=output_file, metavar="FILE", help="write the trained weights and their model card to FILE")
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from viz_app.models import get_spec
    from viz_app.models.loader import load_model
    from viz_app.records.training import LiveSettings
    from viz_app.training.live import Diverged, LiveTrainer
    from viz_app.training.mnist import load_split
    from viz_app.training.trainers import trainer_of

    spec = get_spec(args.name)
    trainer_of(spec)  # a model without an MNIST recipe is refused before the data is read
    settings = LiveSettings(args.optimiser, args.lr, args.batch_size, args.augment, args.seed).checked()
    test = load_split("test", args.data)
    model = load_model(spec.name, "cpu").model if args.start == "shipped" else None
    trainer = LiveTrainer(spec, load_split("train", args.data), test, settings, model)
    curve: list[dict[str, Any]] = []
    reached: dict[str, float | None] = {f"{m:.0%}": None for m in MARKS}
    started = time.perf_counter()
    next_score, message = 0.0, None
    while True:
        elapsed = time.perf_counter() - started
        if elapsed >= next_score:
            point = _score(trainer, elapsed, curve[-1] if curve else None)
            curve.append(point)
            for mark in MARKS:
                if point["test_accuracy"] >= mark and reached[f"{mark:.0%}"] is None:
                    reached[f"{mark:.0%}"] = point["seconds"]
            if not args.json:
                print(_line(point), flush=True)
            next_score = elapsed + args.every
        if elapsed >= args.seconds:
            break
        try:
            trainer.step()
        except Diverged as exc:
            message = str(exc)
            break
    return _finish(args, trainer, test, curve, reached, message)


def _score(trainer: Any, elapsed: float, previous: dict[str, Any] | None) -> dict[str, Any]:
    last = trainer.last
    return {
        "seconds": round(elapsed, 2),
        "step": trainer.steps,
        "epoch": trainer.epoch,
        "loss": None if last is None else round(last.loss, 4),
        "train_accuracy": None if last is None else round(last.train_accuracy, 4),
        "test_accuracy": round(trainer.score(), 4),
        "examples_per_s": None if last is None else round(last.examples_per_s),
    }


def _line(point: dict[str, Any]) -> str:
    loss = "" if point["loss"] is None else f"loss {point['loss']:.3f}, batch {point['train_accuracy']:.0%}, "
    rate = "" if point["examples_per_s"] is None else f", {point['examples_per_s']:,} examples/s"
    return f"{point['seconds']:6.1f} s  step {point['step']:,} (epoch {point['epoch'] + 1}): {loss}held-out {point['test_accuracy']:.1%}{rate}"


def _finish(args: argparse.Namespace, trainer: Any, test: Any, curve: list, reached: dict, message: str | None) -> int:
    import torch

    from viz_app.training.evaluate import evaluate
    from viz_app.training.live import save_weights

    final = evaluate(trainer.model, trainer.spec, test, torch.device("cpu"))
    report = {"model": trainer.spec.name, "from": args.start, "recipe": trainer.recipe(), "curve": curve, "seconds_to": reached,
              "test_accuracy": final.accuracy, "test_errors": final.errors, "n_test": final.n, "stopped": message}  # fmt: skip
    if args.save is not None:
        report["saved"] = str(save_weights(args.save, trainer, final.accuracy, final.errors, args.start))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        marks = ", ".join(f"{mark} at {'-' if s is None else f'{s:.1f} s'}" for mark, s in reached.items())
        print(f"held-out accuracy reached: {marks}")
        print(f"test set: {final.accuracy:.2%} ({final.errors} errors in {final.n:,}) after {trainer.steps:,} steps")
        if "saved" in report:
            print(f"wrote {report['saved']} and its model card")
    if message is not None:
        print(f"cnn-viz train-live: {message}", file=sys.stderr)
        return 1
    return 0
