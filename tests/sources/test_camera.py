"""The camera and video sources through cv2.VideoCapture itself, on video files written here."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from viz_app.bench.synthetic import write_digit_video
from viz_app.inputs.photo import extract_ink
from viz_app.models import load_model
from viz_app.models.inputs import frame_to_tensor
from viz_app.records.frames import Frame
from viz_app.sources.camera import CameraSource, list_cameras
from viz_app.sources.video import VideoSource


class Collector:
    """Frames and messages from a source's thread, with waits that fail instead of hanging."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.received: list[float] = []
        self.messages: list[str] = []
        self._event = threading.Event()

    def on_frame(self, frame: Frame) -> None:
        self.received.append(time.perf_counter())
        self.frames.append(frame)
        self._event.set()

    def on_error(self, message: str) -> None:
        self.messages.append(message)
        self._event.set()

    def wait_for(self, condition, timeout: float = 10.0) -> None:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out; messages so far: {self.messages}"
            self._event.wait(0.05)
            self._event.clear()


@pytest.fixture(scope="module")
def clip(tmp_path_factory, mnist_test) -> tuple[Path, list[int]]:
    """A 30 fps MJPG video of three digits sliding across the view, and the label per frame."""
    path = tmp_path_factory.mktemp("video") / "digits.avi"
    shown = write_digit_video(path, mnist_test.images[:3], fps=30, frames=45)
    return path, [int(mnist_test.labels[k]) for k in shown]


def test_camera_that_fails_to_open_says_so_once_and_keeps_trying() -> None:
    source = CameraSource(0)  # there is no camera here
    source.retry_s = 0.05
    sink = Collector()
    source.start(sink.on_frame, sink.on_error)
    try:
        sink.wait_for(lambda: sink.messages)
        time.sleep(0.3)  # several retries
        assert source.running
        assert len(sink.messages) == 1 and "Could not open camera 0" in sink.messages[0]
        assert not sink.frames
    finally:
        reader = source._thread
        source.stop()  # wakes the reader from its wait between retries: it ends at once, well within stop's join
        assert reader is not None and not reader.is_alive()
    assert not source.running
    assert list_cameras() == []


def test_camera_stream_delivers_rgb_frames_then_dies_and_comes_back(clip) -> None:
    path, _ = clip
    source = CameraSource(str(path), resolution=None, mirror=False)
    source.stall_s = source.retry_s = 0.1
    sink = Collector()
    source.start(sink.on_frame, sink.on_error)
    try:
        sink.wait_for(lambda: any("stopped delivering" in m for m in sink.messages))
        first = len(sink.frames)
        assert first == 45  # a file read as fast as it decodes: every frame
        frame = sink.frames[0]
        assert frame.source == "camera" and frame.image.shape == (240, 320, 3) and frame.image.dtype == np.uint8
        assert [f.seq for f in sink.frames] == list(range(1, 46))
        assert all(f.t_event <= t for f, t in zip(sink.frames, sink.received))
        # Reconnected after the retry interval: the "camera" is back.
        sink.wait_for(lambda: any("is back" in m for m in sink.messages) and len(sink.frames) > first)
    finally:
        source.stop()


def test_camera_plugged_in_later_is_picked_up(tmp_path: Path, clip) -> None:
    late = tmp_path / "late.avi"
    source = CameraSource(str(late), resolution=None)
    source.retry_s = 0.05
    sink = Collector()
    source.start(sink.on_frame, sink.on_error)
    try:
        sink.wait_for(lambda: sink.messages)
        late.write_bytes(clip[0].read_bytes())  # the camera is plugged in
        sink.wait_for(lambda: sink.frames)
        assert any("is back" in m for m in sink.messages)
    finally:
        source.stop()


def test_mirror_freeze_and_reconnect(clip) -> None:
    path, _ = clip
    plain, mirrored = Collector(), Collector()
    for sink, mirror in ((plain, False), (mirrored, True)):
        source = CameraSource(str(path), resolution=None, mirror=mirror)
        source.stall_s = 60  # keep the end of the file quiet
        source.start(sink.on_frame, sink.on_error)
        sink.wait_for(lambda sink=sink: len(sink.frames) >= 3)
        source.stop()
    np.testing.assert_array_equal(mirrored.frames[0].image, plain.frames[0].image[:, ::-1])

    source = CameraSource(str(path), resolution=None)
    source.stall_s = 60
    source.freeze()
    sink = Collector()
    source.start(sink.on_frame, sink.on_error)
    try:
        time.sleep(0.3)
        assert not sink.frames  # frozen: reading, not delivering
        source.freeze(False)
        source.reconnect()  # back to the first frame of the file
        sink.wait_for(lambda: len(sink.frames) >= 40)
    finally:
        source.stop()


@pytest.mark.parametrize("lighting", [0.35, 0.65, 1.0])
def test_digit_moving_across_the_frame_is_read_in_any_light(tmp_path: Path, mnist_test, lighting: float) -> None:
    digits = mnist_test.images[10:13]
    labels = mnist_test.labels[10:13]
    path = tmp_path / f"light{lighting}.avi"
    shown = write_digit_video(path, digits, fps=30, frames=30, lighting=lighting, seed=3)
    source = CameraSource(str(path), resolution=None, mirror=False)
    source.stall_s = 60
    sink = Collector()
    source.start(sink.on_frame, sink.on_error)
    try:
        sink.wait_for(lambda: len(sink.frames) >= 30)
    finally:
        source.stop()
    loaded = load_model("lenet5", "cpu", strict=True)
    x = torch.cat([frame_to_tensor(extract_ink(f.image), loaded.spec, torch.device("cpu"))[0] for f in sink.frames[:30]])
    with torch.inference_mode():
        predictions = loaded.model(x).argmax(1).numpy()
    truth = labels[shown]
    assert (predictions == truth).mean() >= 0.9, (predictions, truth)


@pytest.mark.slow
def test_video_plays_at_the_files_pace_and_ends_with_a_message(clip) -> None:
    path, _ = clip
    source = VideoSource(path)
    sink = Collector()
    started = time.perf_counter()
    source.start(sink.on_frame, sink.on_error)
    try:
        sink.wait_for(lambda: sink.messages)
    finally:
        source.stop()
    assert len(sink.frames) + source.dropped == 45 and sink.frames  # every frame shown or skipped to keep up
    assert "ended" in sink.messages[0] and len(sink.messages) == 1
    assert sink.frames[0].source == "video"
    # Never ahead of the file (a busy machine may fall behind, and then skips frames): the last
    # of its 45 frames at 30 fps is not shown before 44/30 s after the start.
    assert sink.frames[-1].t_event - started >= 44 / 30 - 0.01


def test_a_late_video_skips_frames_to_catch_up_with_its_clock(monkeypatch) -> None:
    from viz_app.sources import video

    clock = _Clock()
    monkeypatch.setattr(video, "time", clock)
    source = VideoSource(Path("unused.avi"))
    source.fps, source._t0, source._index = 10.0, 0.0, 0
    source._stop.wait = clock.sleep  # the source waits on this clock too
    grabs: list[int] = []
    cap = type("Capture", (), {"grab": lambda self: grabs.append(1) or True})()
    clock.now = 0.05
    source._pace(cap)  # frame 1 is due at 0.1: it waits until then
    assert clock.now == pytest.approx(0.1) and source.dropped == 0 and grabs == []
    clock.now = 0.45  # frame 2 was due at 0.2: 0.25 s late
    source._pace(cap)
    assert source.dropped == 2 and len(grabs) == 2 and source._index == 4  # frames 2 and 3 skipped, 4 shown now
    assert clock.now == 0.45


class _Clock:
    """A clock the test moves: ``sleep`` moves it on."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> bool:
        self.now += max(0.0, seconds)
        return False


@pytest.mark.slow
def test_video_loop_pause_and_restart(clip) -> None:
    path, _ = clip
    source = VideoSource(path, loop=True)
    sink = Collector()
    source.start(sink.on_frame, sink.on_error)
    try:
        sink.wait_for(lambda: len(sink.frames) >= 60, timeout=15)
        assert not sink.messages  # looping, no end message
        source.freeze()
        time.sleep(0.1)
        count = len(sink.frames)
        time.sleep(0.3)
        assert len(sink.frames) <= count + 1
        source.freeze(False)
        sink.wait_for(lambda: len(sink.frames) > count + 5)
    finally:
        source.stop()
    once = VideoSource(path)
    sink = Collector()
    once.start(sink.on_frame, sink.on_error)
    sink.wait_for(lambda: sink.messages)
    once.restart()  # plays again after the end
    sink.wait_for(lambda: len(sink.messages) == 2, timeout=15)
    once.stop()
    assert len(sink.frames) + once.dropped == 90


def test_missing_and_unreadable_video(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.avi"
    bogus.write_text("not a video")
    for path, expected in ((tmp_path / "missing.avi", "no such file"), (bogus, "not a readable video")):
        source = VideoSource(path)
        sink = Collector()
        source.start(sink.on_frame, sink.on_error)
        sink.wait_for(lambda sink=sink: sink.messages)
        source.stop()
        assert expected in sink.messages[0] and not sink.frames


def test_stream_cut_off_mid_way_is_a_message(tmp_path: Path, clip) -> None:
    """A capture whose data stops half way (a cable pulled mid-stream): the frames up to the
    cut arrive, then a message, and the source keeps running to pick the device up again."""
    data = clip[0].read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    source = CameraSource(str(cut), resolution=None, mirror=False)
    source.stall_s = 0.2
    source.retry_s = 30  # no reconnect within the test
    sink = Collector()
    source.start(sink.on_frame, sink.on_error)
    try:
        sink.wait_for(lambda: bool(sink.messages))
        assert "stopped delivering frames" in sink.messages[0]
        assert 10 <= len(sink.frames) < 45
        assert source.running
    finally:
        source.stop()
    assert not source.running
