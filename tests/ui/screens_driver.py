"""Drives the real app inside an X server and reports where its key widgets lie, as JSON.

Run by tests/ui/test_screens_xserver.py under Xvfb (one process per screen size):
``python tests/ui/screens_driver.py OUT_DIR --models lenet5,alexnet --tabs --present``.
For each case (start, every model, every side tab, the presentation view) it saves a
screenshot of the whole screen to OUT_DIR/<case>.png and prints one JSON line with the
screen, the window and the global rectangles of the prediction, the probabilities and
every feature map.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from legibility import problems
from pen import click_map, draw
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from viz_app.app.session import Session, make_application
from viz_app.sources.scripted import scaled_strokes
from viz_app.state.options import RunOptions
from viz_app.ui.stage import INPUT_COLUMN


def _wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _until(predicate, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        _wait(50)
    return False


def _rect(widget: QWidget) -> list[int]:
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def _draw(session: Session, digit: int = 3) -> None:
    draw(session.window, digit)


def _click_unit(window, layer: str, at: tuple[float, float]) -> None:  # noqa: ANN001
    """A real mouse click at the fraction ``at`` of ``layer``'s mosaic: the Unit tab zooms in on that unit."""
    click_map(window, layer, at)


def _write_string(session: Session, digits: str) -> None:
    """``digits`` written one per cell of the string pad's strip."""
    pad = session.window.pad
    for cell, digit in enumerate(digits):
        for stroke in scaled_strokes(int(digit), pad.canvas.size, steps_per_unit=8):
            pad.stroke_begin(stroke[0][0] + cell * pad.canvas.size, stroke[0][1])
            for x, y in stroke[1:]:
                pad.stroke_to(x + cell * pad.canvas.size, y)
            pad.stroke_end()


def _layout(window) -> tuple:  # noqa: ANN001
    """Where the window and its maps are."""
    maps = window.maps
    return window.frameGeometry().getRect(), tuple(maps.map_rect(name).getRect() for name in maps.layer_names)


def _still(window) -> bool:  # noqa: ANN001
    """The layout is the same now as 300 ms ago: nothing is still being laid out."""
    before = _layout(window)
    _wait(300)
    return _layout(window) == before


def report(session: Session, case: str, out: Path, shown: list) -> dict:
    """The geometry of one case, with its screenshot saved."""
    window = session.window
    _wait(400)
    if window.side.currentWidget() is window.cost and window.cost.isVisible():
        _until(lambda: window.cost.table.rowCount() > 0, 60)  # the cost table comes once the input rests
    _until(lambda: not window.presentation.settling, 60)  # leaving presentation: the normal view is back
    _until(lambda: _still(window), 60)  # the layout has settled (a busy machine lays it out late)
    QApplication.processEvents()
    screen = window.screen()
    maps = window.maps
    frame = window.frameGeometry()
    record = {
        "case": case,
        "model": window.model.name if window.model else None,
        "results": len(shown),
        "screen": list(screen.geometry().getRect()),
        "available": list(screen.availableGeometry().getRect()),
        "window": [frame.x(), frame.y(), frame.width(), frame.height()],
        "minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
        "prediction": _rect(window.probabilities.prediction) if window.probabilities.prediction.isVisible() else None,
        "probabilities": _rect(window.probabilities.plot),
        "maps_area": _rect(maps),
        "maps": {name: list(maps.map_rect(name).getRect()) for name in maps.layer_names} if maps.isVisible() else {},  # a panel presented instead
        "presentation": window.presenting,
        "legibility": problems(window, window.presenting, window.probabilities.prediction, window.maps),
    }
    screen.grabWindow(0).save(str(out / f"{case}.png"))
    return record


def _train(session: Session, out: Path, shown: list) -> None:
    """Start on the Train tab, a few seconds of training, then the tab presented; paused at the end."""
    window = session.window
    panel = window.train_panel
    window.side.setCurrentWidget(panel)
    _draw(session)
    QTest.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    _until(lambda: len(panel.points) >= 2 and panel.state == "running", 180)  # the child runs below the app's priority: slow on a busy machine
    print(json.dumps({**report(session, "train_running", out, shown), "train": panel.describe(), "state": panel.state}), flush=True)
    window.presentation.present(window.side.indexOf(panel))
    _wait(1500)
    print(json.dumps({**report(session, "present_train_running", out, shown), "panel": _rect(panel)}), flush=True)
    window.presentation.present(None)
    window.set_presentation(False)
    QTest.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)  # Pause
    _until(lambda: panel.state == "paused", 10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--models", default="")
    parser.add_argument("--tabs", action="store_true")
    parser.add_argument("--present", action="store_true")
    parser.add_argument("--string", action="store_true", help="string mode: the SDNN's String tab, normal and presented")
    parser.add_argument("--train", action="store_true", help="the Train tab with LeNet-5 learning, normal and presented")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    session = Session("lenet5", RunOptions("cpu"))
    window = session.window
    session.training.folder = args.out / "live"  # the weights being trained: not in the user's cache
    shown: list = []
    window.result_shown.connect(lambda result, _t: shown.append(result.model))
    window.show()
    if not _until(lambda: window.model is not None, 60):
        print(json.dumps({"error": "lenet5 did not load"}))
        return 1
    _draw(session)
    _until(lambda: len(shown) > 0, 10)
    print(json.dumps(report(session, "start", args.out, shown)), flush=True)
    if args.tabs:  # the Unit tab shows a unit, not its empty prompt
        _click_unit(window, "c3", (0.3, 0.1))
        _until(lambda: window.panel("unit").selection is not None, 10)
    for tab in range(window.side.count()) if args.tabs else ():
        window.side.setCurrentIndex(tab)
        title = window.side.tabText(tab).lower().replace(" ", "_")
        _draw(session)
        print(json.dumps(report(session, f"tab_{tab}_{title}", args.out, shown)), flush=True)
    window.side.setCurrentIndex(0)
    if args.present:
        window.set_presentation(True)
        _draw(session)
        print(json.dumps(report(session, "presentation", args.out, shown)), flush=True)
        window.presentation.layout_1995.setChecked(True)
        print(json.dumps(report(session, "presentation_1995", args.out, shown)), flush=True)
        window.presentation.layout_1995.setChecked(False)
        for tab in range(window.side.count()):  # every side panel presented beside the answer
            window.presentation.present(tab)
            _draw(session)
            title = window.side.tabText(tab).lower().replace(" ", "_")
            print(json.dumps({**report(session, f"present_{title}", args.out, shown), "panel": _rect(window.side.widget(tab))}), flush=True)
        session.sources.show("demo")  # the input column presented: the Demo's scene and curve
        window.presentation.present(INPUT_COLUMN)
        _until(lambda: len(session.sources.demo.panel.curve) >= 3, 60)
        print(json.dumps(report(session, "present_demo", args.out, shown)), flush=True)
        window.presentation.present(None)
        session.sources.show("pad")
        window.set_presentation(False)
        print(json.dumps(report(session, "after_presentation", args.out, shown)), flush=True)
    if args.string:
        window.pad.mode_buttons.button(1).click()
        _until(lambda: window.model is not None and window.model.name == "sdnn", 90)
        sdnn = window.side.indexOf(window.panel("sdnn"))
        window.side.setCurrentIndex(sdnn)
        _write_string(session, "2468")
        _until(lambda: bool(shown) and shown[-1] == "sdnn", 30)
        print(json.dumps(report(session, "string_sdnn", args.out, shown)), flush=True)
        window.presentation.present(sdnn)
        print(json.dumps(report(session, "present_string_sdnn", args.out, shown)), flush=True)
        window.presentation.present(None)
        window.set_presentation(False)
        window.pad.mode_buttons.button(0).click()
    if args.train:
        _train(session, args.out, shown)
    for name in filter(None, args.models.split(",")):
        window.model_requested.emit(name, None)
        loaded = _until(lambda name=name: window.model is not None and window.model.name == name and shown and shown[-1] == name, 90)
        if not loaded:
            _draw(session)
            loaded = _until(lambda name=name: bool(shown) and shown[-1] == name, 30)
        print(json.dumps({**report(session, f"model_{name}", args.out, shown), "loaded": loaded}), flush=True)
    session.close()
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
