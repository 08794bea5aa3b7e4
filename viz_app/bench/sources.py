"""Synthesised camera input and the source benchmark behind `cnn-viz bench --source`.

``synth_photo`` makes a photo of an MNIST digit written on paper (pen thickness, placement,
perspective, shading, blur, sensor noise); ``write_digit_video`` makes a video of such a
sheet moving in front of a camera. Both feed the tests and the benchmark, so the camera
path can be measured without a camera.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from viz_app.opencv import cv2
from viz_app.sources.photo import Roi
from viz_app.sources.spec import parse_source


def synth_photo(
    digit: np.ndarray,
    rng: np.random.Generator,
    frame: tuple[int, int] = (240, 320),
    roi_size: int = 200,
    lighting: float | None = None,
) -> tuple[np.ndarray, Roi]:
    """An RGB camera frame (H x W x 3 uint8) of ``digit`` (28x28, white on black) written in dark
    ink on paper, and the ROI (x, y, w, h) a user would draw around it.

    ``lighting`` scales the paper's brightness (1 = well lit); random when None.
    """
    fh, fw = frame
    # Pen: draw the digit large, then make the strokes thinner or thicker.
    scale = rng.uniform(4.0, 6.5)
    size = int(28 * scale)
    ink = cv2.resize(digit, (size, size), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
    pen = int(rng.integers(-int(scale * 0.4), int(scale * 0.9) + 1))
    if pen:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (abs(pen) + 1, abs(pen) + 1))
        ink = cv2.dilate(ink, kernel) if pen > 0 else cv2.erode(ink, kernel)
    ink = np.clip((ink - 0.25) / 0.5, 0.0, 1.0)  # a pen's ink is either there or not
    # Off-centre placement inside the ROI, the ROI itself somewhere in the frame.
    rx = int(rng.integers(0, fw - roi_size + 1))
    ry = int(rng.integers(0, fh - roi_size + 1))
    digit_box = int(roi_size * rng.uniform(0.55, 0.85))
    ink = cv2.resize(ink, (digit_box, digit_box), interpolation=cv2.INTER_AREA)
    slack = roi_size - digit_box
    ox = rx + int(rng.integers(0, slack + 1))
    oy = ry + int(rng.integers(0, slack + 1))
    sheet = np.zeros((fh, fw), np.float32)
    sheet[oy : oy + digit_box, ox : ox + digit_box] = ink
    # Perspective: the sheet is not quite parallel to the sensor.
    src = np.float32([[0, 0], [fw, 0], [fw, fh], [0, fh]])
    jitter = rng.uniform(-0.07, 0.07, (4, 2)) * np.float32([fw, fh])
    warp = cv2.getPerspectiveTransform(src, (src + jitter).astype(np.float32))
    sheet = cv2.warpPerspective(sheet, warp, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=0)
    # Lighting: paper brightness, a shading gradient across the sheet, dark ink.
    light = rng.uniform(0.45, 1.0) if lighting is None else lighting
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * (xx / fw - 0.5) + np.sin(angle) * (yy / fh - 0.5)) * rng.uniform(0.0, 0.9)
    paper = 235.0 * light * np.clip(1.0 + ramp, 0.3, 1.5)
    darkness = rng.uniform(0.55, 0.9)
    gray = paper * (1.0 - darkness * sheet)
    tint = rng.uniform(0.9, 1.05, 3).astype(np.float32)
    rgb = gray[:, :, None] * tint
    rgb = cv2.GaussianBlur(rgb, (0, 0), rng.uniform(0.3, 1.6))
    rgb += rng.normal(0.0, rng.uniform(1.0, 7.0), rgb.shape).astype(np.float32)
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8), (rx, ry, roi_size, roi_size)


def write_digit_video(
    path: str | Path,
    digits: np.ndarray,
    fps: float = 30.0,
    frames: int = 90,
    frame: tuple[int, int] = (240, 320),
    lighting: float = 1.0,
    seed: int = 0,
) -> list[int]:
    """Write an MJPG .avi of digits on paper, each sliding across the view in turn; returns,
    per frame, the index into ``digits`` of the digit shown."""
    fh, fw = frame
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (fw, fh))
    if not writer.isOpened():
        raise OSError(f"cannot write the video {path}")
    rng = np.random.default_rng(seed)
    shown: list[int] = []
    per_digit = max(1, frames // len(digits))
    roi = int(min(fh, fw) * 0.75)
    try:
        for i in range(frames):
            k = min(i // per_digit, len(digits) - 1)
            if i % per_digit == 0:
                photo, (x, _, _, _) = synth_photo(digits[k], np.random.default_rng([seed, k]), frame, roi, lighting)
            # The sheet slides from left to right: shift the photo, filling with its own edge (paper).
            travel = fw - roi
            dx = round(-x + travel * (i % per_digit) / max(1, per_digit - 1))
            moved = cv2.warpAffine(photo, np.float32([[1, 0, dx], [0, 1, 0]]), (fw, fh), borderMode=cv2.BORDER_REPLICATE)
            noisy = np.clip(moved.astype(np.int16) + rng.integers(-3, 4, moved.shape), 0, 255).astype(np.uint8)
            writer.write(cv2.cvtColor(noisy, cv2.COLOR_RGB2BGR))
            shown.append(k)
    finally:
        writer.release()
    return shown


def run_source_bench(
    spec: str, frames: int = 300, device: str = "cpu", model: str = "lenet5", timeout_s: float = 120.0, warmup: int = 30
) -> dict[str, Any]:
    """Run the real window (offscreen) fed by a camera or video source and measure how old the
    frame on screen is (capture to display), how many frames are shown per second and how
    many captured frames never reached the screen (dropped by the latest-wins mailboxes).

    The first ``warmup`` captured frames (panels being built, first forward passes) are left
    out of the figures.
    """
    parsed = parse_source(spec)
    if parsed.kind not in ("camera", "video"):
        raise ValueError(f"bench --source takes camera[:INDEX] or video:PATH, not {spec!r}")
    if parsed.kind == "video" and (parsed.path is None or not parsed.path.is_file()):
        raise FileNotFoundError(f"no such video: {parsed.path}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop

    from viz_app.app.session import Session, make_application
    from viz_app.app.source_control import attach_sources

    app = make_application([])
    session = Session(model, device)
    deadline = time.perf_counter() + timeout_s
    while session.window.model is None and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if session.window.model is None:
        session.close()
        raise RuntimeError(f"model {model} did not load within {timeout_s:.0f} s")
    session.window.show()
    ages: list[float] = []
    shown_at: list[float] = []
    messages: list[str] = []
    t_start = time.perf_counter()

    seen: set[int] = set()
    warm: list[float] = []

    def on_shown(result: Any, t_shown: float) -> None:
        # Each captured frame once (a frame re-sent for a new ROI or model keeps its seq).
        if result.t_event < t_start or result.seq in seen:
            return
        seen.add(result.seq)
        if result.seq <= warmup:
            warm.append(t_shown - result.t_event)
            return
        ages.append(t_shown - result.t_event)
        shown_at.append(t_shown)

    session.window.result_shown.connect(on_shown)
    controller = attach_sources(session, spec)
    controller.source_message.connect(messages.append)
    source = controller.active
    try:
        while controller.frames_in < frames + warmup and time.perf_counter() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            if source is None or not getattr(source, "running", False):
                break
        controller.stop()
        drain = time.perf_counter() + 0.5  # results still on their way to the screen
        while time.perf_counter() < drain:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    finally:
        session.window.close()
        session.close()
    captured = max(0, controller.frames_in - warmup)
    age_ms = np.array(ages) * 1e3
    quarter = max(1, len(age_ms) // 4)
    span = shown_at[-1] - shown_at[0] if len(shown_at) > 1 else 0.0
    return {
        "source": spec,
        "model": model,
        "device": session.window.model.device if session.window.model else device,
        "source_fps": getattr(source, "fps", None),
        "warmup_frames": warmup,
        "captured": captured,
        "shown": len(ages),
        "dropped": captured - len(ages),
        "skipped_by_source": getattr(source, "dropped", 0),
        "shown_fps": round((len(shown_at) - 1) / span, 2) if span > 0 else 0.0,
        "age_ms": {
            "median": round(float(np.median(age_ms)), 2) if len(age_ms) else None,
            "p95": round(float(np.percentile(age_ms, 95)), 2) if len(age_ms) else None,
            "max": round(float(age_ms.max()), 2) if len(age_ms) else None,
            # Growing lag shows as a last quarter much older than the first.
            "first_quarter_median": round(float(np.median(age_ms[:quarter])), 2) if len(age_ms) else None,
            "last_quarter_median": round(float(np.median(age_ms[-quarter:])), 2) if len(age_ms) else None,
        },
        "warmup_age_ms_max": round(max(warm) * 1e3, 2) if warm else None,
        "messages": messages,
    }


def print_source_bench(spec: str, frames: int, device: str, as_json: bool, model: str = "lenet5") -> int:
    """`cnn-viz bench --source SPEC`: run the benchmark and print it (JSON or a line)."""
    report = run_source_bench(spec, frames, device, model)
    if as_json:
        print(json.dumps(report))
    else:
        age = report["age_ms"]
        print(
            f"{report['source']} -> {report['model']} on {report['device']}: frame age median {age['median']} ms, "
            f"p95 {age['p95']} ms; {report['shown_fps']} frames/s shown; {report['dropped']} of {report['captured']} captured frames dropped"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m viz_app.bench.sources VIDEO [--seconds S]`: write a 30 fps test video of MNIST
    test digits on paper (for `cnn-viz bench --source video:VIDEO`)."""
    parser = argparse.ArgumentParser(prog="python -m viz_app.bench.sources", description=main.__doc__)
    parser.add_argument("video", type=Path)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--data", type=Path, help="folder with the MNIST IDX files (default: $CNN_VIZ_DATA)")
    args = parser.parse_args(argv)
    from viz_app.training.mnist import load_split

    digits = load_split("test", args.data)
    n = int(args.seconds * args.fps)
    write_digit_video(args.video, digits.images[: max(1, n // 30)], args.fps, n)
    print(f"wrote {args.video}: {n} frames at {args.fps:g} fps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
