"""The child of ``trial.try_file``: import a user's model file and call its build function, the
model on torch's meta device, then end. Run by its path (``python trial_child.py FILE FUNCTION``):
it imports torch and the user's file, nothing of the app. Any error is left for the app's own,
guarded import to report; only whether this ends in time matters."""

import importlib.util
import os
import sys
from pathlib import Path


def main(path: str, func: str) -> None:
    import torch

    sys.path[0] = str(Path(path).parent)  # as `python net.py` has it, not this script's folder
    try:
        spec = importlib.util.spec_from_file_location("cnn_viz_trial", path)
        if spec is None or spec.loader is None:
            return
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        build = getattr(module, func, None)
        if callable(build):
            with torch.device("meta"):
                build()
    except BaseException:  # noqa: BLE001, S110 (the app's guarded import says what it was)
        pass


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
    sys.stdout.flush()
    os._exit(0)  # whatever threads the user's code started
