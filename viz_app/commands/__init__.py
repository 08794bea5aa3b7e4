"""Subcommands of `cnn-viz` that live in a module of their own.

Each module here exposes ``add_parser(sub)``, which adds its subparser (and must import
neither torch nor Qt: the parser is built at every start), and ``run(args) -> int``, which
does the work with its heavy imports inside. The CLI adds them in the order of
``COMMAND_MODULES``; the older commands are still written in ``viz_app.cli`` itself.
"""

COMMAND_MODULES: tuple[str, ...] = ("models", "eval", "read", "index")
