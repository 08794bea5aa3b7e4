"""`cnn-viz index`: each unit's strongest MNIST test digits, stored beside the model's weights."""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="find each unit's strongest MNIST test digits (for the unit panel)")
    p.add_argument("name", help="a zoo model, or 'all'")
    p.add_argument("--data", type=Path, help="folder with the MNIST IDX files (default: $CNN_VIZ_DATA, else a download)")
    p.add_argument("--folder", type=Path, help="index the images in this folder instead (any model; ImageNet models have no data set here)")
    p.add_argument("--device", default="cpu")


def run(args: argparse.Namespace) -> int:
    from viz_app.errors import UserError
    from viz_app.models import get_spec, load_model
    from viz_app.models.loader import default_weights_path
    from viz_app.models.registry import specs_in_group
    from viz_app.probe.unit_index import build_index, index_path, save_index
    from viz_app.training.mnist import load_split

    if args.folder is not None:
        return _index_folder(args)
    zoo = [spec for spec in specs_in_group("MNIST zoo") if spec.weights.file]
    if args.name == "all":
        specs = [spec for spec in zoo if (path := default_weights_path(spec)) is not None and path.is_file()]
        for spec in zoo:
            if spec not in specs:
                print(f"{spec.name}: skipped (its weights file {spec.weights.file} is not there yet)")
    else:
        spec = get_spec(args.name)
        if spec not in zoo:
            raise UserError(f"{spec.name} is not an MNIST zoo model with shipped weights; indexes are made for: {', '.join(s.name for s in zoo)}")
        specs = [spec]
    digits = load_split("test", args.data)
    for spec in specs:
        started = time.perf_counter()
        loaded = load_model(spec, args.device, strict=True)
        index = build_index(loaded, digits.images, digits.labels)
        path = index_path(spec)
        size = save_index(index, path)
        units = sum(len(layer.mean) for layer in index.layers.values())
        print(f"{spec.name}: {units} units in {len(index.layers)} layers over {len(digits):,} test digits, "
              f"{time.perf_counter() - started:.1f} s -> {path} ({size / 1024:.0f} KiB)", flush=True)  # fmt: skip
    return 0


def _index_folder(args: argparse.Namespace) -> int:
    """`cnn-viz index NAME --folder DIR`: the model's top images among the user's own."""
    from viz_app.errors import UserError
    from viz_app.models import load_model
    from viz_app.probe.unit_folder import build_folder_index, folder_index_path
    from viz_app.probe.unit_index import save_index

    if args.name == "all":
        raise UserError("--folder indexes one model at a time: name it")
    started = time.perf_counter()
    loaded = load_model(args.name, args.device, strict=True)
    index, skipped = build_folder_index(loaded, args.folder)
    for reason in skipped:
        print(f"left out: {reason}")
    path = folder_index_path(loaded.spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    size = save_index(index, path)
    units = sum(len(layer.mean) for layer in index.layers.values())
    print(f"{loaded.spec.name}: {units} units in {len(index.layers)} layers over {len(index.files):,} images of {args.folder}, "
          f"{time.perf_counter() - started:.1f} s -> {path} ({size / 1024:.0f} KiB)")  # fmt: skip
    return 0
