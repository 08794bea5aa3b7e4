"""`cnn-viz bench MODE`: the app measured as a user meets it, each mode printing its figures.

    bench [window]             the live window on a scripted stroke: updates/s, latency by stage
    bench panel PANEL          the window's frames with and without an insight panel in view
    bench view presentation    the normal and the presentation view, alternating
    bench string               a five-digit string read by the SDNN, String panel in view
    bench source SOURCE        a camera or video: frame age from capture to display, drops
    bench train                LeNet-5 learning in the window while the pad is drawn on
    bench arithmetic           from a click on a map to the Arithmetic tab showing that unit
    bench zoo                  every MNIST-zoo model: accuracy, throughput, latency
    bench startup              seconds from process start to the first frame shown
    bench close                seconds from the window's Quit to the end of the process

The options of before (``--panel P``, ``--view V``, ``--string``, ``--source S``, ``--zoo``,
``--startup``, ``--close``) still work and say once which mode they now are.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viz_app.arguments import PRECISION_HELP, WEIGHTS_HELP, model_name, panel_key, positive_float, positive_int, present_device, writable_file
from viz_app.errors import UserError
from viz_app.sources.spec import argparse_source  # no Qt, no torch: cheap
from viz_app.state.options import DEVICE_HELP, PRECISIONS
from viz_app.state.panels import panel_help  # no Qt: the panels are named, not imported

MODES = ("window", "panel", "view", "string", "source", "train", "arithmetic", "zoo", "startup", "close")
TARGETS = {"panel": "PANEL", "view": "VIEW", "source": "SOURCE"}  # modes that name what they measure
OLD_FLAGS = {"zoo": "zoo", "startup": "startup", "close": "close", "string": "string"}  # --flag -> mode


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="measure the live window, a source, the zoo, start-up or closing (see MODE)",
                       description=__doc__.split("\n\n")[1] if __doc__ else None, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("mode", nargs="?", choices=MODES, default=None, metavar="MODE", help=f"one of {', '.join(MODES)} (default: window)")
    p.add_argument("target", nargs="?", metavar="TARGET", help="panel: a panel's key; view: presentation; source: camera[:INDEX] or video:PATH")
    p.add_argument("--model", type=model_name, default="lenet5")
    p.add_argument("--weights", type=Path, default=argparse.SUPPRESS, help=WEIGHTS_HELP + " (window, panel and view)")
    p.add_argument("--device", type=present_device, default="auto", help=DEVICE_HELP)
    p.add_argument("--precision", choices=PRECISIONS, default="auto", help=PRECISION_HELP)
    p.add_argument("--frames", type=positive_int, default=600)
    p.add_argument("--rate", type=positive_float, default=120.0, help="input events per second of the scripted stroke")
    p.add_argument("--seconds", type=positive_float, help="train: seconds of training after Start (default 180)")
    p.add_argument("--runs", type=positive_int, help="zoo: timed runs per model (default 10); startup, close: starts (default 5); "
                   "arithmetic: clicks (default 20)")  # fmt: skip
    p.add_argument("--early", action="store_true", help="close: close as soon as the window is up, while a large model is still being built")
    p.add_argument("--json", action="store_true")
    p.add_argument("--trace", type=writable_file, metavar="FILE", help="window, panel and view: write every frame's stages per thread to FILE "
                   "(trace-event JSON for ui.perfetto.dev or chrome://tracing)")  # fmt: skip
    old = p.add_argument_group("the options of before (still taken; each is now a MODE)")
    old.add_argument("--panel", type=panel_key, metavar="PANEL", help=f"= bench panel PANEL: {panel_help().replace('%', '%%')}")
    old.add_argument("--view", choices=("normal", "presentation"), help="= bench view VIEW")
    old.add_argument("--source", dest="source", type=argparse_source, metavar="SOURCE", help="= bench source SOURCE")
    for flag in OLD_FLAGS:
        old.add_argument(f"--{flag}", action="store_true", help=f"= bench {OLD_FLAGS[flag]}")


def resolve(args: argparse.Namespace) -> tuple[str, str | None]:
    """The mode and its target, from ``bench MODE [TARGET]`` or the options of before (a note on stderr).
    A ValueError (one line) when they contradict each other or a mode lacks its target."""
    old = [mode for flag, mode in OLD_FLAGS.items() if getattr(args, flag)]
    old += ["panel"] if args.panel else []
    old += ["view"] if args.view == "presentation" else []
    old += ["source"] if args.source is not None else []
    if len(old) > 1 or (old and args.mode not in (None, *old)):
        raise ValueError(f"bench: choose one mode (got {', '.join(filter(None, [args.mode, *old]))})")
    mode = args.mode or (old[0] if old else "window")
    target = args.target or {"panel": args.panel, "view": args.view, "source": str(args.source) if args.source else None}.get(mode)
    if old and not args.mode:
        shown = f"cnn-viz bench {mode}" + (f" {target}" if mode in TARGETS else "")
        print(f"cnn-viz bench: note: that option is now a mode: `{shown}`", file=sys.stderr)
    if mode in TARGETS and not target:
        raise ValueError(f"bench {mode} needs its {TARGETS[mode]} (e.g. `cnn-viz bench {mode} {_example(mode)}`)")
    if mode not in TARGETS and args.target:
        raise ValueError(f"bench {mode} takes no {args.target!r}")
    if mode == "panel":
        target = panel_key(target or "")
    if mode == "source":
        target = str(argparse_source(target or ""))
    if mode == "view" and target != "presentation":
        raise ValueError(f"bench view: only 'presentation' is compared with the normal view, not {target!r}")
    if args.early and mode != "close":
        raise ValueError("--early is for `bench close`")
    return mode, target


def _example(mode: str) -> str:
    return {"panel": "augment", "view": "presentation", "source": "video:clip.avi"}[mode]


def run(args: argparse.Namespace) -> int:
    try:
        mode, target = resolve(args)
    except (ValueError, argparse.ArgumentTypeError) as exc:
        print(f"cnn-viz: error: {exc}", file=sys.stderr)
        return 2
    if args.weights is not None:
        if mode not in ("window", "panel", "view"):
            raise UserError(f"--weights applies to bench window, panel and view, not to bench {mode}")
        from viz_app.models import load_model

        load_model(args.model, "cpu", args.weights, strict=True)  # checked as everywhere: a bad file ends here, in one line
    if mode == "zoo":
        from viz_app.bench.zoo import run_zoo_bench

        return run_zoo_bench(args.device, args.json, runs=args.runs or 10)
    if mode in ("startup", "close"):
        from viz_app.bench.close import run_close_bench
        from viz_app.bench.startup import run_startup_bench

        if mode == "startup":
            return run_startup_bench(args.runs or 5, args.device, args.model, args.json)
        return run_close_bench(args.runs or 5, args.device, args.model, args.early, args.json)
    if mode == "source":
        from viz_app.bench.sources import print_source_bench

        return print_source_bench(str(target), args.frames, args.device, args.json, args.model)
    if mode == "arithmetic":
        from viz_app.bench.arithmetic import run_arithmetic_bench

        return run_arithmetic_bench(args)
    if mode == "train":
        from viz_app.bench.training import run_train_bench

        return run_train_bench(args)
    if mode == "string":
        from viz_app.bench.strings import run_string_bench

        return run_string_bench(args)
    from viz_app.bench.window import run_bench

    args.panel, args.view = (target if mode == "panel" else None), (target if mode == "view" else "normal")
    return run_bench(args)
