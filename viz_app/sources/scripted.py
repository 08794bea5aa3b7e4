"""Hand-drawn digit shapes as pen strokes, for scripted drawing (benchmarks, tests, demos).

Coordinates are fractions of the pad's side; each digit is a list of strokes, each stroke a
list of (x, y) points, drawn the way a person writes the digit.
"""

from __future__ import annotations

import math
from typing import Any

Stroke = list[tuple[float, float]]


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 24) -> Stroke:
    """Points on an ellipse from angle ``start`` to ``end`` (degrees, 0 = right, 90 = down)."""
    return [
        (cx + rx * math.cos(math.radians(start + (end - start) * i / n)), cy + ry * math.sin(math.radians(start + (end - start) * i / n)))
        for i in range(n + 1)
    ]


DIGIT_STROKES: dict[int, list[Stroke]] = {
    0: [_arc(0.5, 0.5, 0.2, 0.32, -90, 270, 40)],
    1: [[(0.40, 0.28), (0.52, 0.18), (0.52, 0.82)]],
    2: [_arc(0.5, 0.36, 0.2, 0.17, 200, 380, 16) + [(0.62, 0.5), (0.30, 0.82), (0.72, 0.82)]],
    3: [_arc(0.48, 0.34, 0.19, 0.16, 200, 450, 18) + _arc(0.48, 0.66, 0.21, 0.17, 270, 520, 18)],
    4: [[(0.58, 0.18), (0.28, 0.62), (0.76, 0.62)], [(0.62, 0.40), (0.62, 0.84)]],
    5: [[(0.68, 0.2), (0.36, 0.2), (0.33, 0.48)] + _arc(0.5, 0.63, 0.2, 0.19, 235, 500, 20)],
    6: [[(0.62, 0.16), (0.40, 0.42)] + _arc(0.5, 0.64, 0.18, 0.18, 200, 560, 30)],
    7: [[(0.28, 0.2), (0.72, 0.2), (0.45, 0.84)]],
    8: [_arc(0.5, 0.33, 0.16, 0.15, 90, 450, 24) + _arc(0.5, 0.66, 0.19, 0.18, -90, 270, 28)],
    9: [_arc(0.5, 0.35, 0.18, 0.16, 0, 360, 28) + [(0.68, 0.35), (0.62, 0.84)]],
}


def scaled_strokes(digit: int, side: float, steps_per_unit: float = 60.0) -> list[Stroke]:
    """The digit's strokes in pixels of a ``side``-wide pad, densified like pointer events."""
    out = []
    for stroke in DIGIT_STROKES[digit]:
        points = [(x * side, y * side) for x, y in stroke]
        dense = [points[0]]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            n = max(1, int(math.hypot(x1 - x0, y1 - y0) / side * steps_per_unit))
            dense += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(1, n + 1)]
        out.append(dense)
    return out


def draw_on(pad: Any, digit: int, steps_per_unit: int = 8) -> None:
    """Draw ``digit`` on a drawing pad (``stroke_begin``, ``stroke_to``, ``stroke_end``), stroke by stroke."""
    for stroke in scaled_strokes(digit, pad.canvas.size, steps_per_unit=steps_per_unit):
        pad.stroke_begin(*stroke[0])
        for point in stroke[1:]:
            pad.stroke_to(*point)
        pad.stroke_end()
