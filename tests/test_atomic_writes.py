"""Every file the app writes is written whole or not at all: a full disk (simulated without root by
making the flush or the writer fail with ENOSPC) ends in an error that names the file, leaves no
temporary file behind and leaves an earlier file under that name as it was."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from viz_app.app.lecture import LectureTools
from viz_app.app.session import PredictionLog
from viz_app.errors import UserError
from viz_app.files import WriteError, atomic_path, write_text
from viz_app.models import get_spec
from viz_app.models.weights import card_path, write_card
from viz_app.opencv import cv2
from viz_app.probe.unit_index import LayerTop, UnitIndex, read_index, save_index
from viz_app.training.mnist import Digits
from viz_app.training.trainers import train
from viz_app.ui.main_window import MainWindow
from viz_app.ui.playback import playback_problem
from viz_app.ui.recorder import Recorder, SinkFactory, VideoSink, make_sink

EARLIER = b"the earlier file, whole"


def _no_space(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture()
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The data reach the disk only at the flush, and it finds the disk full (as with delayed allocation)."""
    monkeypatch.setattr(os, "fsync", _no_space)


def _only(folder: Path, *names: str) -> None:
    """``folder`` holds exactly ``names``: no temporary file was left behind."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


def test_a_full_disk_names_the_file_and_keeps_the_earlier_one(tmp_path: Path, full_disk: None) -> None:
    target = tmp_path / "lenet5.json"
    target.write_bytes(EARLIER)
    with pytest.raises(WriteError) as raised:
        write_text(target, "{}\n")
    assert str(raised.value) == f"could not write {target}: No space left on device"
    assert isinstance(raised.value, UserError) and isinstance(raised.value, OSError)  # one line from the CLI; a failed write to the window
    assert target.read_bytes() == EARLIER
    _only(tmp_path, "lenet5.json")


def test_a_writer_that_fails_halfway_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new.pt"
    with pytest.raises(WriteError, match=r"new\.pt: the encoder broke"), atomic_path(target) as part:
        part.write_bytes(b"half a file")
        raise ValueError("the encoder broke")
    _only(tmp_path)


def test_a_finished_write_replaces_the_file_with_a_plain_files_permissions(tmp_path: Path) -> None:
    target = tmp_path / "shot.png"
    target.write_bytes(EARLIER)
    with atomic_path(target) as part:
        assert part.parent == tmp_path and part.name.startswith(".shot.") and part.suffix == ".png"  # writers pick the format by it
        part.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    plain = tmp_path / "plain"
    plain.touch()
    assert target.stat().st_mode == plain.stat().st_mode  # not mkstemp's owner-only 0600
    _only(tmp_path, "shot.png", "plain")


def test_a_folder_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(EARLIER)
    with pytest.raises(WriteError, match=f"could not write {blocker / 'card.json'}: Not a directory"):
        write_text(blocker / "card.json", "{}")


def test_a_model_card_on_a_full_disk(tmp_path: Path, full_disk: None) -> None:
    weights = tmp_path / "lenet5.pt"
    card_path(weights).write_bytes(EARLIER)
    with pytest.raises(WriteError, match="lenet5.json: No space left on device"):
        write_card(weights, {"model": "lenet5"})
    assert card_path(weights).read_bytes() == EARLIER
    _only(tmp_path, "lenet5.json")


def _index() -> UnitIndex:
    top = np.zeros((2, 3), np.uint16)  # 2 units, their 3 strongest digits
    layer = LayerTop(top, np.zeros((2, 3, 2), np.uint8), np.ones((2, 3), np.float32), top.astype(np.uint8), np.ones(2, np.float32))
    return UnitIndex("lenet5", "w", "d", {"c1": layer})


def test_a_unit_index_on_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lenet5.units.npz"
    save_index(_index(), path)
    earlier = path.read_bytes()
    monkeypatch.setattr(os, "fsync", _no_space)
    with pytest.raises(WriteError, match="lenet5.units.npz: No space left on device"):
        save_index(_index(), path)
    assert path.read_bytes() == earlier and read_index(path).model == "lenet5"
    _only(tmp_path, "lenet5.units.npz")


@pytest.mark.usefixtures("one_torch_thread")
def test_training_on_a_full_disk_leaves_no_truncated_weights(tmp_path: Path, mnist_test: Digits, monkeypatch: pytest.MonkeyPatch) -> None:
    """torch.save gets a kilobyte out, then the disk is full: the earlier weights stay, no card is written."""
    real_save = torch.save

    def save_until_full(obj: object, f: str | os.PathLike[str]) -> None:
        buffer = io.BytesIO()
        real_save(obj, buffer)
        Path(f).write_bytes(buffer.getvalue()[:1024])
        _no_space()

    out = tmp_path / "lenet5.pt"
    out.write_bytes(EARLIER)
    monkeypatch.setattr(torch, "save", save_until_full)
    with pytest.raises(UserError, match=f"could not write {out}: No space left on device"):
        train(get_spec("lenet5"), mnist_test, mnist_test, out, epochs=1, limit=256, log=lambda _line: None)
    assert out.read_bytes() == EARLIER
    _only(tmp_path, "lenet5.pt")


# --- the window's files: snapshots and recordings ------------------------------------------------
def _tools(window: MainWindow, folder: Path, sink_factory: SinkFactory = make_sink) -> LectureTools:
    tools = LectureTools(window, sink_factory=sink_factory)
    tools.folder = folder
    return tools


def test_a_snapshot_on_a_full_disk_is_a_message_and_no_file(window: MainWindow, tmp_path: Path, full_disk: None) -> None:
    tools = _tools(window, tmp_path)
    assert tools.snapshot_window() is None
    message = window.statusBar().currentMessage()
    assert "Could not save the snapshot" in message and "No space left on device" in message and str(tmp_path / "cnn-viz-") in message
    _only(tmp_path)


def _record_and_fail(qtbot, tools: LectureTools) -> str:
    """Record a moment, stop, and return the ``failed`` message (``finished`` must not come)."""
    finished: list[str] = []
    tools.recorder.finished.connect(finished.append)
    tools.record_action.trigger()
    assert tools.recorder.recording
    qtbot.wait(300)
    with qtbot.waitSignal(tools.recorder.failed, timeout=30_000) as failed:
        tools.record_action.trigger()
    assert finished == [] and not tools.record_action.isChecked()
    status = tools.window.statusBar().currentMessage()
    assert "Recording saved" not in status and "failed" in status
    return failed.args[0]


class FailsAtFinish:
    """A sink whose frames go out but whose finish (an encoder's trailer) meets a full disk."""

    def __init__(self, path: Path, _fps: float, _size: tuple[int, int]) -> None:
        self.path = path

    def write(self, frame: np.ndarray) -> None:
        with self.path.open("ab") as out:
            out.write(frame[:1].tobytes())

    def close(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_recording_whose_finish_fails_is_reported_failed_and_leaves_no_file(qtbot, window: MainWindow, tmp_path: Path) -> None:
    message = _record_and_fail(qtbot, _tools(window, tmp_path, FailsAtFinish))
    assert "failed: No space left on device" in message and str(tmp_path / "cnn-viz-") in message
    _only(tmp_path)


class IndexLostWriter:
    """OpenCV's VideoWriter whose last write at release, the MP4 index, is lost to a full disk,
    and which says nothing about it (as OpenCV's does not)."""

    def __init__(self, path: str, *args: object) -> None:
        self._path, self._writer = path, cv2.VideoWriter(path, *args)

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return bool(self._writer.isOpened())

    def write(self, frame: np.ndarray) -> None:
        self._writer.write(frame)

    def release(self) -> None:
        self._writer.release()
        os.truncate(self._path, os.path.getsize(self._path) // 2)


def test_an_mp4_that_does_not_play_back_is_not_called_saved(qtbot, window: MainWindow, tmp_path: Path) -> None:
    def broken_mp4(path: Path, fps: float, size: tuple[int, int]) -> VideoSink:
        return VideoSink(path, fps, size, writer_class=IndexLostWriter)

    message = _record_and_fail(qtbot, _tools(window, tmp_path, broken_mp4))
    assert "the video does not play back" in message
    _only(tmp_path)


def test_a_recording_on_a_full_disk_keeps_the_earlier_file(qtbot, window: MainWindow, tmp_path: Path, full_disk: None) -> None:
    path = tmp_path / "lecture.mp4"
    path.write_bytes(EARLIER)
    recorder = Recorder(window)
    assert recorder.start(path)
    qtbot.wait(300)
    with qtbot.waitSignal(recorder.failed, timeout=30_000) as failed:
        recorder.stop()
    assert failed.args[0] == f"Recording to {path} failed: No space left on device"
    assert path.read_bytes() == EARLIER
    _only(tmp_path, "lecture.mp4")


@pytest.mark.parametrize("suffix", ["mp4", "gif"])
def test_a_finished_recording_takes_its_name_only_when_whole(qtbot, window: MainWindow, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"lecture.{suffix}"
    recorder = Recorder(window)
    assert recorder.start(path)
    assert path.exists() is False  # written under a temporary name while it runs
    qtbot.wait(300)
    with qtbot.waitSignal(recorder.finished, timeout=30_000):
        recorder.stop()
    assert playback_problem(path) is None
    _only(tmp_path, path.name)


def test_a_prediction_log_on_a_full_disk_stops_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """The log grows line by line while scripts read it, so it is appended to, not replaced;
    /dev/full is a real full disk (every write ends in ENOSPC)."""
    log = PredictionLog(Path("/dev/full"))
    log.write_event("window")
    log.write_event("window")  # no second report, no traceback per shown frame
    log.close()
    assert capsys.readouterr().err.splitlines() == ["cnn-viz: the prediction log /dev/full stops here: No space left on device"]
