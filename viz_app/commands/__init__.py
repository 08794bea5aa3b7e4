"""Every subcommand of `cnn-viz`, one module each.

A module exposes ``add_parser(sub)``, which adds its subparser (and must import neither torch
nor Qt: the parser is built at every start), and ``run(args) -> int``, which does the work with
its heavy imports inside. ``COMMANDS`` is the order `cnn-viz --help` lists them in.
"""

COMMANDS: tuple[str, ...] = ("models", "train", "train_live", "eval", "predict", "read", "index", "summary", "explain", "robustness", "bench")
