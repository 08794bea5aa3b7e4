"""Synthesised camera input: MNIST digits as photos of paper and as videos of a moving sheet.

``synth_photo`` makes a photo of an MNIST digit written on paper (pen thickness, placement,
perspective, shading, blur, sensor noise); ``write_digit_video`` makes a video of such a
sheet moving in front of a camera. Both feed the tests and `cnn-viz bench source`, so the
camera path can be measured without a camera.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from viz_app.inputs.photo import Roi
from viz_app.opencv import cv2


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
    ink: np.ndarray = cv2.resize(digit, (size, size), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
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
    sheet: np.ndarray = np.zeros((fh, fw), np.float32)
    sheet[oy : oy + digit_box, ox : ox + digit_box] = ink
    # Perspective: the sheet is not quite parallel to the sensor.
    src = np.array([[0, 0], [fw, 0], [fw, fh], [0, fh]], np.float32)
    jitter = rng.uniform(-0.07, 0.07, (4, 2)) * np.array([fw, fh], np.float32)
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
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (fw, fh))
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
            moved = cv2.warpAffine(photo, np.array([[1, 0, dx], [0, 1, 0]], np.float32), (fw, fh), borderMode=cv2.BORDER_REPLICATE)
            noisy = np.clip(moved.astype(np.int16) + rng.integers(-3, 4, moved.shape), 0, 255).astype(np.uint8)
            writer.write(cv2.cvtColor(noisy, cv2.COLOR_RGB2BGR))
            shown.append(k)
    finally:
        writer.release()
    return shown


def main(argv: list[str] | None = None) -> int:
    """`python -m viz_app.bench.synthetic VIDEO [--seconds S]`: write a 30 fps test video of MNIST
    test digits on paper (for `cnn-viz bench source video:VIDEO`)."""
    parser = argparse.ArgumentParser(prog="python -m viz_app.bench.synthetic", description=main.__doc__)
    parser.add_argument("video", type=Path)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--data", type=Path, help="folder with the MNIST IDX files (default: $CNN_VIZ_DATA)")
    args = parser.parse_args(argv)
    n = int(args.seconds * args.fps) if math.isfinite(args.seconds * args.fps) else 0
    if not 1 <= n <= 1_000_000 or not 0 < args.fps <= 240:
        parser.error(f"--seconds {args.seconds:g} at --fps {args.fps:g} must give 1 to 1,000,000 frames at up to 240 fps")
    from viz_app.errors import UserError
    from viz_app.training.mnist import load_split

    try:
        digits = load_split("test", args.data)
    except UserError as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    write_digit_video(args.video, digits.images[: max(1, n // 30)], args.fps, n)
    print(f"wrote {args.video}: {n} frames at {args.fps:g} fps")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
