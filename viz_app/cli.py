"""The `cnn-viz` command: the window by default, and the subcommands around it (``viz_app.commands``)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn

from viz_app.arguments import PRECISION_HELP, add_model_options, appendable_file, device_name, open_model_with_options, writable_file
from viz_app.commands import COMMANDS
from viz_app.errors import UserError, debugging
from viz_app.sources.spec import SOURCE_HELP, argparse_source  # no Qt, no torch: cheap
from viz_app.state.options import DEVICE_HELP, PRECISIONS

CODE_WARNING = "a model file (.py) is Python code: it runs with your permissions, like any script you run"


class _Parser(argparse.ArgumentParser):
    """argparse with its complaints on one line, like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cnn-viz",
        description="Watch a convolutional network think: draw a digit and see every layer live.",
        epilog=f"Note: {CODE_WARNING}.",
    )
    parser.add_argument("--model", help="model to open: a name (see `cnn-viz models --all`), torchvision:NAME, "
                        "FILE.py[:build] or FILE.onnx (default: the last one, or lenet5)")  # fmt: skip
    add_model_options(parser)
    parser.add_argument("--device", type=device_name, default="auto", help=DEVICE_HELP)
    parser.add_argument("--precision", choices=PRECISIONS, default="auto", help=PRECISION_HELP)
    parser.add_argument("--weights", type=Path, help="load this state dict instead of the shipped weights")
    parser.add_argument("--source", type=argparse_source, metavar="SOURCE", help=SOURCE_HELP + " (default: the last one)")
    parser.add_argument("--log-predictions", type=appendable_file, metavar="FILE", help="append each shown prediction to FILE as a JSON line")
    parser.add_argument("--trace", type=writable_file, metavar="FILE", help="write every frame's stages per thread to FILE when the window closes "
                        "(trace-event JSON: open it in ui.perfetto.dev or chrome://tracing)")  # fmt: skip
    parser.add_argument("--train", action="store_true", help="open the window at its Train tab: watch the model shown learn MNIST live")
    parser.add_argument("--reset-settings", action="store_true", help="forget the remembered window, model, layers and source")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error (also CNN_VIZ_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:  # in the order of --help
        importlib.import_module(f"viz_app.commands.{name}").add_parser(sub)
    return parser


WEIGHTS_COMMANDS = (None, "predict", "eval", "summary", "bench")  # what --weights applies to (None: the window)


def main(argv: list[str] | None = None) -> int:
    """Run `cnn-viz` with ``argv`` (default: the command line); the process exit status.

    An error the user caused (a bad file, number or device) ends here as one line and exit
    status 2; its traceback only with --debug or CNN_VIZ_DEBUG=1.
    """
    args = _parser().parse_args(argv)
    if args.debug:
        os.environ["CNN_VIZ_DEBUG"] = "1"  # the window's threads and the commands read it (errors.debugging)
    debug = debugging()
    if getattr(args, "timeout", None) is not None:
        from viz_app.models import trial

        trial.set_time_limit(args.timeout)
    try:
        if args.weights is not None and args.command not in WEIGHTS_COMMANDS:
            raise UserError(f"--weights applies to the window and to {', '.join(c for c in WEIGHTS_COMMANDS if c)}, not to {args.command}")
        _open_model_files(args)
        if args.command is None:
            from viz_app.app.session import run_app

            _exit_at_once(run_app(args))
        return int(importlib.import_module(f"viz_app.commands.{args.command}").run(args))
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
