"""Recording the window: an MP4 and a GIF that read back at the wall-clock pace; failures are messages."""

from __future__ import annotations

import errno
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from viz_app.app.lecture import LectureTools
from viz_app.opencv import cv2
from viz_app.ui.main_window import MainWindow
from viz_app.ui.recorder import FPS, GIF_MAX_WIDTH, Recorder, RecordingError, VideoSink, fit

SECONDS = 3.0


def _record(qtbot, window: MainWindow, path: Path, seconds: float = SECONDS) -> tuple[Recorder, tuple[int, int], tuple[float, float]]:
    """Record about ``seconds`` of the window; the recorder, the video's size (the window's at the
    start, cut to even numbers) and the shortest and longest the recording can have lasted."""
    recorder = Recorder(window)
    size = (window.width() - window.width() % 2, window.height() - window.height() % 2)
    before_start = time.perf_counter()
    assert recorder.start(path)
    after_start = time.perf_counter()
    qtbot.wait(round(seconds * 1000))
    before_stop = time.perf_counter()
    with qtbot.waitSignal(recorder.finished, timeout=30_000):
        recorder.stop()
    return recorder, size, (before_stop - after_start, time.perf_counter() - before_start)


def _read_video(path: Path) -> tuple[int, tuple[int, int]]:
    capture = cv2.VideoCapture(str(path))
    frames, size = 0, (0, 0)
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames, size = frames + 1, (frame.shape[1], frame.shape[0])
    capture.release()
    return frames, size


@pytest.mark.slow
def test_a_3_second_mp4_reads_back_with_its_frames_and_size(qtbot, window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "lecture.mp4"
    recorder, expected, (shortest, longest) = _record(qtbot, window, path)
    frames, size = _read_video(path)
    assert size == expected
    assert frames == recorder.frames  # every frame the recorder counted is in the file
    # The video keeps the wall clock (a late or dropped grab's time is filled by the next one), so
    # it has one frame per 1/30 s the recording lasted, plus the first.
    assert shortest >= 2.5 and shortest * FPS["mp4"] <= frames <= longest * FPS["mp4"] + 1


@pytest.mark.slow
def test_a_3_second_gif_reads_back_with_pillow(qtbot, window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "lecture.gif"
    recorder, (width, height), (shortest, longest) = _record(qtbot, window, path)
    with Image.open(path) as gif:
        durations = []
        for index in range(gif.n_frames):
            gif.seek(index)
            durations.append(gif.info["duration"])
        size = gif.size
    assert size[0] <= GIF_MAX_WIDTH and abs(size[0] / size[1] - width / height) < 0.01
    # A repeated frame lengthens the previous one instead of being stored again: the durations add up to the recording.
    assert shortest * 1000 <= sum(durations) <= longest * 1000 + 100
    assert sum(durations) == round(1000 * recorder.frames / FPS["gif"])


def test_frames_of_another_size_fit_the_video() -> None:
    odd = np.zeros((601, 801, 3), np.uint8)
    assert fit(odd, (800, 600)).shape == (600, 800, 3)  # an odd window is cut to even sizes
    assert fit(np.zeros((300, 400, 3), np.uint8), (800, 600)).shape == (600, 800, 3)  # a resized one is scaled


def test_no_h264_falls_back_to_mpeg4_and_no_encoder_at_all_is_an_error(tmp_path: Path) -> None:
    opened: list[str] = []

    class Writer:
        def __init__(self, _path: str, fourcc: int, _fps: float, _size: tuple[int, int]) -> None:
            self.codec = "".join(chr((fourcc >> 8 * i) & 0xFF) for i in range(4))
            opened.append(self.codec)

        def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
            return self.codec in allowed

        def release(self) -> None: ...

    allowed = {"mp4v"}
    assert VideoSink(tmp_path / "a.mp4", 30, (64, 48), writer_class=Writer).codec == "mp4v"
    assert opened == ["avc1", "mp4v"]
    allowed = set()
    with pytest.raises(RecordingError, match="no MP4 encoder"):
        VideoSink(tmp_path / "b.mp4", 30, (64, 48), writer_class=Writer)


def test_a_missing_encoder_is_a_message_and_no_recording(qtbot, window: MainWindow, tmp_path: Path) -> None:
    def no_encoder(path: Path, fps: float, size: tuple[int, int]) -> VideoSink:
        return VideoSink(path, fps, size, codecs=())

    tools = LectureTools(window, sink_factory=no_encoder)
    tools.folder = tmp_path
    tools.record_action.trigger()
    assert not tools.recorder.recording and not tools.record_action.isChecked()
    assert "no MP4 encoder" in window.statusBar().currentMessage()


class FullDisk:
    """A sink whose disk fills up after a few frames."""

    def __init__(self, _path: Path, _fps: float, _size: tuple[int, int]) -> None:
        self.written = 0

    def write(self, frame: np.ndarray) -> None:
        self.written += 1
        if self.written > 5:
            raise OSError(errno.ENOSPC, "No space left on device")

    def close(self) -> None: ...


def test_a_full_disk_ends_the_recording_with_a_message(qtbot, window: MainWindow, tmp_path: Path) -> None:
    tools = LectureTools(window, sink_factory=FullDisk)
    tools.folder = tmp_path
    with qtbot.waitSignal(tools.recorder.failed, timeout=10_000) as failed:
        tools.record_action.trigger()
    assert "No space left on device" in failed.args[0]
    assert not tools.recorder.recording and not tools.record_action.isChecked() and tools.indicator.isHidden()
    assert "No space left on device" in window.statusBar().currentMessage()
    tools.record_action.trigger()  # and one can try again
    assert tools.recorder.recording
    tools.recorder.stop()


def test_an_unwritable_folder_is_a_message(window: MainWindow, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    tools = LectureTools(window)
    tools.folder = blocker / "videos"
    tools.toggle_recording()
    assert not tools.recorder.recording
    assert "Could not record" in window.statusBar().currentMessage()


def test_the_indicator_shows_while_recording(qtbot, window: MainWindow, tmp_path: Path) -> None:
    tools = LectureTools(window)
    tools.folder = tmp_path
    tools.record_action.trigger()
    assert tools.indicator.isVisible() and tools.indicator.text() == "● REC 00:00"
    qtbot.waitUntil(lambda: tools.indicator.text().startswith("● REC 00:0") and tools.indicator.text() != "● REC 00:00", timeout=20_000)
    with qtbot.waitSignal(tools.recorder.finished) as finished:
        tools.record_action.trigger()
    assert tools.indicator.isHidden()
    assert finished.args[0] in window.statusBar().currentMessage()


@pytest.mark.slow
def test_closing_the_window_finishes_a_recording_in_progress(qtbot, lenet_session, tmp_path: Path) -> None:
    tools = lenet_session.lecture
    tools.folder = tmp_path
    tools.record_action.trigger()
    after_start = time.perf_counter()
    qtbot.wait(1000)
    before_close = time.perf_counter()
    with qtbot.waitSignal(tools.recorder.finished) as finished:
        lenet_session.window.close()
    frames, size = _read_video(Path(finished.args[0]))
    assert frames == tools.recorder.frames
    # The video lasts until the window closed: not shorter than the wait, not longer than wait and close.
    assert (before_close - after_start) * FPS["mp4"] <= frames <= (time.perf_counter() - after_start) * FPS["mp4"] + 2
    assert size[0] > 0
