"""The `cnn-viz` command: the window by default, and the subcommands around it."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn

from viz_app.arguments import (
    DEVICE_HELP,
    PRECISION_HELP,
    PRECISIONS,
    add_model_options,
    appendable_file,
    device_name,
    model_name,
    open_model_with_options,
    output_file,
    panel_key,
    positive_float,
    positive_int,
    present_device,
)
from viz_app.commands import COMMAND_MODULES
from viz_app.errors import UserError
from viz_app.sources.spec import SOURCE_HELP, argparse_source  # no Qt, no torch: cheap
from viz_app.ui.panels.registry import panel_help  # no Qt either: the panels are named, not imported


class _Parser(argparse.ArgumentParser):
    """argparse with its complaints on one line, like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cnn-viz",
        description="Watch a convolutional network think: draw a digit and see every layer live.",
    )
    parser.add_argument("--model", help="model to open: a name (see `cnn-viz models --all`), torchvision:NAME, "
                        "FILE.py[:build] or FILE.onnx (default: the last one, or lenet5)")
    add_model_options(parser)
    parser.add_argument("--device", type=device_name, default="auto", help=DEVICE_HELP)
    parser.add_argument("--precision", choices=PRECISIONS, default="auto", help=PRECISION_HELP)
    parser.add_argument("--weights", type=Path, help="load this state dict instead of the shipped weights")
    parser.add_argument("--source", type=argparse_source, metavar="SOURCE", help=SOURCE_HELP + " (default: the last one)")
    parser.add_argument("--log-predictions", type=appendable_file, metavar="FILE", help="append each shown prediction to FILE as a JSON line")
    parser.add_argument("--reset-settings", action="store_true", help="forget the remembered window, model, layers and source")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error (also CNN_VIZ_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands = {name: importlib.import_module(f"viz_app.commands.{name}") for name in COMMAND_MODULES}
    commands["models"].add_parser(sub)

    p = sub.add_parser("train", help="train a model on MNIST and write its weights and model card")
    p.add_argument("name")
    p.add_argument("--data", type=Path, help="folder with the four MNIST IDX .gz files (default: $CNN_VIZ_DATA or download)")
    p.add_argument("--epochs", type=positive_int)
    p.add_argument("--out", type=output_file, help="weights file to write (default: assets/NAME.pt)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", dest="train_device", type=present_device, default="auto", help=DEVICE_HELP)
    p.add_argument("--limit", type=positive_int, help="train on the first N training images only (for a quick check)")

    commands["eval"].add_parser(sub)

    p = sub.add_parser("predict", help="classify image files through the window's preprocessing")
    p.add_argument("name")
    p.add_argument("images", nargs="+", type=Path)
    p.add_argument("--weights", dest="predict_weights", type=Path)
    p.add_argument("--json", action="store_true")
    add_model_options(p)

    _add_bench(sub)

    p = sub.add_parser("robustness", help="accuracy on the MNIST test digits at every step of the 1995 demo's scenes")
    p.add_argument("names", nargs="+", metavar="MODEL", help="one or more digit models, compared side by side")
    p.add_argument("--scene", action="append", metavar="SCENE",
                   help="translation, scale, rotation, squeeze, stroke, salt_pepper, gaussian or styles (repeatable; default: all)")
    p.add_argument("--data", type=Path)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("summary", help="per-layer output shape, parameters and multiply-accumulates of a model")
    p.add_argument("name", help="a registered model, or 'all' for one line per model")
    p.add_argument("--input", metavar="CxHxW", help="another input shape, e.g. 3x448x448 or 1x3x448x448")
    p.add_argument("--depth", type=positive_int, help="fold modules nested deeper than this (default: every module)")
    add_model_options(p, input_flag=False)
    p.add_argument("--json", action="store_true")
    for name in COMMAND_MODULES[2:]:
        commands[name].add_parser(sub)
    return parser


def _add_bench(sub: argparse._SubParsersAction) -> None:
    """`cnn-viz bench`: the live window, a source, the zoo or a panel, measured."""
    p = sub.add_parser("bench", help="measure latency and update rate of the live window, headless")
    p.add_argument("--model", dest="bench_model", type=model_name, default="lenet5")
    p.add_argument("--device", dest="bench_device", type=present_device, default="auto", help=DEVICE_HELP)
    p.add_argument("--precision", choices=PRECISIONS, default="auto", help=PRECISION_HELP)
    p.add_argument("--frames", type=positive_int, default=600)
    p.add_argument("--rate", type=positive_float, default=120.0, help="input events per second of the scripted stroke")
    panels = panel_help().replace("%", "%%")
    p.add_argument("--panel", type=panel_key, metavar="PANEL", help=f"also time frames with this insight panel in view, alternating with it hidden: {panels}")
    p.add_argument("--zoo", action="store_true", help="time every MNIST-zoo model on --device: accuracy, images/s at batch 64, latency, parameters")
    p.add_argument("--runs", type=positive_int, help="with --zoo: timed runs per model (default 10); with --startup or --close: starts (default 5)")
    p.add_argument("--startup", action="store_true", help="seconds from process start to the window's first frame of --model (fresh settings)")
    p.add_argument("--close", action="store_true", help="seconds from asking the window of --model to close (its Quit) to the end of its process")
    p.add_argument("--early", action="store_true", help="with --close: close as soon as the window is up, while a large model is still being built")
    p.add_argument("--source", dest="bench_source", type=argparse_source, metavar="SOURCE",
                   help="measure camera[:INDEX] or video:PATH instead of the scripted stroke: frame age (capture to display), shown fps, dropped frames")
    p.add_argument("--view", choices=("normal", "presentation"), default="normal", help="the window's view while measuring")
    p.add_argument("--string", action="store_true", help="time a five-digit string written on the string canvas, String panel in view (reads with sdnn)")
    p.add_argument("--json", action="store_true")


def main(argv: list[str] | None = None) -> int:
    """Run `cnn-viz` with ``argv`` (default: the command line); the process exit status.

    An error the user caused (a bad file, number or device) ends here as one line and exit
    status 2; its traceback only with --debug or CNN_VIZ_DEBUG=1.
    """
    args = _parser().parse_args(argv)
    debug = args.debug or os.environ.get("CNN_VIZ_DEBUG", "") not in ("", "0")
    try:
        _open_model_files(args)
        if args.command is None:
            from viz_app.app.session import run_app

            _exit_at_once(run_app(args))
        if args.command in COMMAND_MODULES:
            return int(importlib.import_module(f"viz_app.commands.{args.command}").run(args))
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130
    except (UserError, KeyError, ValueError, OSError) as exc:
        if debug:
            traceback.print_exc()
        print(f"cnn-viz: error: {_one_line(exc)}", file=sys.stderr)
        return 2


def _open_model_files(args: argparse.Namespace) -> None:
    """Open a model file given with --classes/--input/--mean/--std (a registered name refuses them)."""
    if args.command is None and args.model:
        args.model = open_model_with_options(args.model, args)
    elif args.command in ("predict", "eval", "summary") and hasattr(args, "classes"):
        args.name = open_model_with_options(args.name, args)


def _exit_at_once(code: int) -> NoReturn:
    """End the process now that the window is closed, its threads stopped and its settings
    and log written: the interpreter's teardown of torch alone takes 1.5-3 s on a busy
    two-core machine, and a closed window must not keep the process (or the hall) waiting.
    Under coverage the normal exit runs, so that its data is saved."""
    if "coverage" in sys.modules:
        raise SystemExit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line (a KeyError's without its quotes)."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(text.split()) or type(exc).__name__


def _train(args: argparse.Namespace) -> int:
    from viz_app.models import get_spec
    from viz_app.models.device import resolve_device
    from viz_app.paths import assets_dir
    from viz_app.training.mnist import load_split
    from viz_app.training.trainers import train

    spec = get_spec(args.name)
    out = args.out or assets_dir() / f"{spec.name}.pt"
    result = train(
        spec,
        load_split("train", args.data),
        load_split("test", args.data),
        out,
        epochs=args.epochs,
        seed=args.seed,
        device=resolve_device(args.train_device),
        limit=args.limit,
    )
    card = result.card
    print(f"wrote {result.weights} and its model card: test accuracy {card['test_accuracy']:.2%} ({card['test_errors']} errors), {card['train_seconds']:.0f} s")
    return 0


def _predict(args: argparse.Namespace) -> int:
    from viz_app.predict import predict_files

    return predict_files(args.name, args.images, args.predict_weights, as_json=args.json)


def _bench(args: argparse.Namespace) -> int:
    if args.zoo:
        from viz_app.bench.zoo import run_zoo_bench

        return run_zoo_bench(args.bench_device, args.json, runs=args.runs or 10)
    if args.startup:
        from viz_app.bench.startup import run_startup_bench

        return run_startup_bench(args.runs or 5, args.bench_device, args.bench_model, args.json)
    if args.close:
        from viz_app.bench.close import run_close_bench

        return run_close_bench(args.runs or 5, args.bench_device, args.bench_model, args.early, args.json)
    if args.bench_source is not None:
        from viz_app.bench.sources import print_source_bench

        return print_source_bench(str(args.bench_source), args.frames, args.bench_device, args.json, args.bench_model)
    if args.string:
        from viz_app.bench.strings import run_string_bench

        return run_string_bench(args)
    from viz_app.bench.window import run_bench

    return run_bench(args)


def _summary(args: argparse.Namespace) -> int:
    from viz_app.models.summary import run_summary

    return run_summary(args)


def _robustness(args: argparse.Namespace) -> int:
    from viz_app.sources.scenes import SCENES
    from viz_app.training.robustness import run_robustness

    return run_robustness(args.names, args.scene or list(SCENES), args.data, args.json)


_COMMANDS = {
    "train": _train, "predict": _predict, "bench": _bench,
    "summary": _summary, "robustness": _robustness,
}  # fmt: skip
