"""Resident memory and hooks at the window bench's marks (the first frame after the warm-up,
the middle and the last), so a long run shows whether either grows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from viz_app.app.session import Session


def memory_probe(session: Session) -> Callable[[], dict]:
    """Reads the process's resident memory and the hooks on the running model."""
    from viz_app.memory import rss_mb
    from viz_app.probe.hooks import count_hooks

    def probe() -> dict:
        pipeline = session.inference.worker.pipeline
        if pipeline is None:
            return {"rss_mb": round(rss_mb(), 1), "hooks": 0, "extras": []}
        # An extra in view (--panel) adds its own hooks while it runs: hooks compare within one set of extras.
        return {"rss_mb": round(rss_mb(), 1), "hooks": count_hooks(pipeline.loaded.model), "extras": sorted(e.key for e in pipeline.extras)}

    return probe


def memory_report(marks: list[dict]) -> dict:
    """Resident memory and hooks at the first frame after the warm-up, the middle and the last frame."""
    if not marks:
        return {"marks": []}
    return {"marks": marks, "rss_growth_mb": round(marks[-1]["rss_mb"] - marks[0]["rss_mb"], 1),
            "hooks_constant": all(len({m["hooks"] for m in marks if m["extras"] == e["extras"]}) == 1 for e in marks)}  # fmt: skip


def memory_line(memory: dict) -> str:
    """Resident memory and hooks at the bench's marks, in one line."""
    marks = memory["marks"]
    return ("memory: resident " + " -> ".join(f"{m['rss_mb']:.1f}" for m in marks) + " MB at frames "
            + ", ".join(str(m["frame"]) for m in marks) + f" (growth {memory['rss_growth_mb']:+.1f} MB); hooks on the model "
            + " -> ".join(str(m["hooks"]) for m in marks))  # fmt: skip
