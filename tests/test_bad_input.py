"""Every command against every bad input that applies to it: exit status 2, one line that
names the problem, no traceback, nothing written and no hostile payload run.

The commands run in-process through ``viz_app.cli.main`` (the CLI's edge, where errors become
messages); a few run as the installed ``cnn-viz`` to show the real process behaves the same.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import torch
from bad_files import DATA_KINDS, IMAGE_KINDS, VIDEO_KINDS, WEIGHTS_KINDS, write_image, write_mnist, write_video, write_weights

from viz_app.cli import main
from viz_app.opencv import cv2

CNN_VIZ = shutil.which("cnn-viz") or pytest.fail("the cnn-viz console script is not installed")


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``cnn-viz ARGV`` run in this process."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's refusals
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code: int, err: str, *words: str) -> None:
    """Exit 2 and exactly one line on stderr, an error naming the problem, no traceback."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("cnn-viz") and "error:" in lines[0], err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], lines[0]


def listing(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


@pytest.fixture()
def digit_png(tmp_path: Path) -> Path:
    import numpy as np

    image = np.full((64, 64), 255, np.uint8)
    cv2.putText(image, "7", (16, 52), cv2.FONT_HERSHEY_SIMPLEX, 2, 0, 5)
    path = tmp_path / "seven.png"
    cv2.imwrite(str(path), image)
    return path


# --- weights files: predict and eval --------------------------------------------------------------
@pytest.mark.parametrize("kind", list(WEIGHTS_KINDS))
@pytest.mark.parametrize("command", ["predict", "eval", "summary", "bench", "before predict"])
def test_bad_weights_are_refused_in_one_line(command, kind, tmp_path, digit_png, mnist_dir, capsys):
    """Wherever --weights is given (after the command or before it), the same checks refuse it."""
    marker = tmp_path / "payload-ran"
    weights = write_weights(kind, tmp_path, marker)
    before = listing(tmp_path)
    argv = {
        "predict": ["predict", "lenet5", str(digit_png), "--weights", str(weights)],
        "eval": ["eval", "lenet5", "--data", str(mnist_dir), "--weights", str(weights)],
        "summary": ["summary", "lenet5", "--weights", str(weights)],
        "bench": ["bench", "--weights", str(weights), "--frames", "5"],  # refused before a window opens
        "before predict": ["--weights", str(weights), "predict", "lenet5", str(digit_png)],
    }[command]
    code, out, err = run_cli(argv, capsys)
    assert_refused(code, err, WEIGHTS_KINDS[kind])
    assert out == ""  # no prediction from weights that were refused
    assert not marker.exists(), "loading the weights ran code from the file"
    assert listing(tmp_path) == before


def test_the_hostile_file_really_carries_a_payload(tmp_path):
    """The hostile weights are a real threat: an unsafe load runs their code (so the tests above can fail)."""
    marker = tmp_path / "payload-ran"
    weights = write_weights("hostile", tmp_path, marker)
    torch.load(weights, weights_only=False)
    assert marker.exists()


def test_the_refusal_of_code_does_not_advise_the_unsafe_load(tmp_path, digit_png, capsys):
    weights = write_weights("hostile", tmp_path, tmp_path / "marker")
    _, _, err = run_cli(["predict", "lenet5", str(digit_png), "--weights", str(weights)], capsys)
    assert "weights_only" not in err and "False" not in err


# --- MNIST folders: eval and train ------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(DATA_KINDS))
@pytest.mark.parametrize("command", ["eval", "train"])
def test_bad_data_folders_are_refused_in_one_line(command, kind, tmp_path, capsys):
    data = write_mnist(kind, tmp_path / "data")
    out_file = tmp_path / "out.pt"
    argv = [command, "lenet5", "--data", str(data)]
    if command == "train":
        argv += ["--epochs", "1", "--out", str(out_file), "--device", "cpu"]
    before = listing(tmp_path)
    code, _, err = run_cli(argv, capsys)
    assert_refused(code, err, DATA_KINDS[kind])
    assert not out_file.exists() and listing(tmp_path) == before


# --- images: predict --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", IMAGE_KINDS)
def test_bad_images_are_named_and_refused(kind, tmp_path, capsys):
    image = write_image(kind, tmp_path)
    code, out, err = run_cli(["predict", "lenet5", str(image)], capsys)
    assert_refused(code, err, image.name, "cannot read")
    assert out == ""


def test_a_bad_image_does_not_stop_the_good_ones(tmp_path, digit_png, capsys):
    bad = write_image("truncated", tmp_path)
    code, out, err = run_cli(["predict", "lenet5", str(bad), str(digit_png)], capsys)
    assert_refused(code, err, bad.name)
    assert out.startswith(f"{digit_png}: 7")


# --- videos: bench source ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(VIDEO_KINDS))
def test_bad_videos_are_refused_before_the_window_opens(kind, tmp_path, capsys):
    video = write_video(kind, tmp_path)
    code, out, err = run_cli(["bench", "source", f"video:{video}", "--frames", "5", "--device", "cpu"], capsys)
    assert_refused(code, err, VIDEO_KINDS[kind])
    assert out == ""


def test_a_camera_that_does_not_open_is_refused_at_once(capsys):
    code, _, err = run_cli(["bench", "source", "camera:63", "--frames", "5", "--device", "cpu"], capsys)
    assert_refused(code, err, "camera 63 cannot be opened")


# --- numbers, names and devices ----------------------------------------------------------------------
BAD_ARGUMENTS = {
    "train epochs 0": (["train", "lenet5", "--epochs", "0"], "--epochs"),
    "train epochs -1": (["train", "lenet5", "--epochs", "-1"], "--epochs"),
    "train epochs word": (["train", "lenet5", "--epochs", "ten"], "--epochs"),
    "train limit 0": (["train", "lenet5", "--limit", "0"], "--limit"),
    "train device": (["train", "lenet5", "--device", "tpu"], "unknown device"),
    "train out folder": (["train", "lenet5", "--out", "/nonexistent/folder/w.pt"], "does not exist"),
    "train out is a folder": (["train", "lenet5", "--out", "."], "is a folder"),
    "bench frames 0": (["bench", "--frames", "0"], "--frames"),
    "bench frames -5": (["bench", "--frames", "-5"], "--frames"),
    "bench panel frames 0": (["bench", "panel", "augment", "--frames", "0"], "--frames"),
    "bench rate 0": (["bench", "--rate", "0"], "--rate"),
    "bench rate -1": (["bench", "--rate", "-1"], "--rate"),
    "bench rate nan": (["bench", "--rate", "nan"], "--rate"),
    "bench rate inf": (["bench", "--rate", "inf"], "--rate"),
    "bench frames huge": (["bench", "--frames", "1000000000000"], "--frames"),
    "bench rate huge": (["bench", "--rate", "1e9"], "--rate"),
    "bench weights with zoo": (["bench", "zoo", "--weights", "w.pt"], "--weights applies to bench window"),
    "weights with train": (["--weights", "w.pt", "train", "lenet5"], "--weights applies to the window and to"),
    "input with a registered model": (["predict", "lenet5", "x.png", "--input", "1x28x28"], "--input is only for a model file"),
    "timeout 0": (["predict", "lenet5", "x.png", "--timeout", "0"], "--timeout"),
    "timeout word": (["predict", "lenet5", "x.png", "--timeout", "soon"], "--timeout"),
    "bench runs 0": (["bench", "zoo", "--runs", "0"], "--runs"),
    "bench device tpu": (["bench", "--device", "tpu"], "unknown device"),
    "bench device cuda:9": (["bench", "--device", "cuda:9"], "cuda:9"),
    "bench model": (["bench", "--model", "nosuchmodel"], "unknown model"),
    "bench panel": (["bench", "panel", "nosuchpanel"], "unknown panel"),
    "bench panel without one": (["bench", "panel"], "needs its PANEL"),
    "bench two modes": (["bench", "zoo", "--startup"], "choose one mode"),
    "bench early without close": (["bench", "startup", "--early"], "--early is for"),
    "bench source": (["bench", "source", "webcam"], "unknown source"),
    "bench view": (["bench", "view", "huge"], "only 'presentation'"),
    "bench mode": (["bench", "fastest"], "invalid choice"),
    "summary huge input": (["summary", "imagenet_resnet18", "--input", "3x20000x20000"], "too large"),
    "summary costly input": (["summary", "imagenet_resnet18", "--input", "3x4096x4096"], "multiply-accumulates"),
    "summary bad shape": (["summary", "lenet5", "--input", "3x4"], "not like"),
    "summary depth 0": (["summary", "lenet5", "--depth", "0"], "--depth"),
    "summary model": (["summary", "nosuchmodel"], "unknown model"),
    "eval model": (["eval", "nosuchmodel"], "unknown model"),
    "predict model": (["predict", "nosuchmodel", "x.png"], "unknown model"),
    "window device": (["--device", "tpu"], "unknown device"),
    "window log file": (["--log-predictions", "/nonexistent/folder/x.log"], "cannot write"),
    "window source": (["--source", "camera:-1"], "camera index"),
}


@pytest.mark.parametrize("argv, words", list(BAD_ARGUMENTS.values()), ids=list(BAD_ARGUMENTS))
def test_bad_arguments_are_refused_in_one_line(argv, words, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(argv, capsys)
    assert_refused(code, err, words)
    assert out == "" and listing(tmp_path) == set()


USER_CODE = {  # a model file's build or forward that goes wrong after the file opened
    "sys.exit in build": ("import sys\nfrom torch import nn\n\ndef build():\n    sys.exit(3)\n", "raised SystemExit (line 5): sys.exit(3)"),
    "forward of one only": (
        "import torch\nfrom torch import nn\n\nclass One(nn.Sequential):\n    def forward(self, x):\n"
        "        if x.shape[0] != 1:\n            raise ValueError('one at a time')\n        return super().forward(x)\n\n"
        "def build():\n    return One(nn.Flatten(), nn.Linear(784, 10))\n",
        "raised ValueError in its forward (line 7): one at a time",
    ),
    "NaN scores": (
        "import torch\nfrom torch import nn\n\nclass Nan(nn.Sequential):\n    def forward(self, x):\n"
        "        return super().forward(x) * float('nan')\n\ndef build():\n    return Nan(nn.Flatten(), nn.Linear(784, 10))\n",
        "gives NaN or infinite scores",
    ),
}


@pytest.mark.parametrize("command", ["predict", "eval", "robustness"])
@pytest.mark.parametrize("kind", list(USER_CODE))
def test_a_model_file_that_fails_after_opening_ends_in_one_line(kind, command, tmp_path, digit_png, mnist_dir, capsys):
    body, words = USER_CODE[kind]
    net = tmp_path / "net.py"
    net.write_text(body, encoding="utf-8")
    if command == "predict" and kind == "forward of one only":
        words = "no"  # a batch of one is what predict runs: it answers (below)
    argv = {
        "predict": ["predict", f"{net}:build", str(digit_png), "--input", "1x28x28"],
        "eval": ["eval", f"{net}:build", "--data", str(mnist_dir)],
        "robustness": ["robustness", f"{net}:build", "--data", str(mnist_dir)],
    }[command]
    code, out, err = run_cli(argv, capsys)
    if words == "no":
        assert code == 0 and "seven.png:" in out and "Traceback" not in err
        return
    assert code == 2, err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and words in errors[0] and "Traceback" not in err, err


@pytest.mark.slow
def test_a_summary_far_too_costly_is_refused_before_it_runs(capsys, monkeypatch):
    from viz_app.models import summary

    counted: list[tuple[int, ...]] = []  # the shapes a forward was counted at
    count = summary.summarize
    monkeypatch.setattr(summary, "summarize", lambda model, shape, name: counted.append(tuple(shape)) or count(model, shape, name))
    code, _, err = run_cli(["summary", "imagenet_vgg16_bn", "--input", "3x2048x2048"], capsys)
    assert_refused(code, err, "multiply-accumulates")
    assert set(counted) <= {(1, 3, 224, 224)}  # priced from the model's own size, never run at the one asked for


# --- the installed command: the real process behaves the same ----------------------------------------------
def _process(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CNN_VIZ, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_the_process_refuses_a_missing_weights_file_in_one_line(tmp_path, digit_png):
    out = _process("predict", "lenet5", str(digit_png), "--weights", str(tmp_path / "none.pt"))
    assert_refused(out.returncode, out.stderr, "not found")


def test_the_process_refuses_a_log_file_it_cannot_write_before_any_thread_starts():
    out = _process("--log-predictions", "/nonexistent/folder/x.log")
    assert_refused(out.returncode, out.stderr, "cannot write")
    assert "QThread" not in out.stderr


@pytest.mark.slow
def test_debug_shows_the_traceback_of_a_users_error(tmp_path, digit_png):
    out = subprocess.run(
        [CNN_VIZ, "predict", "lenet5", str(digit_png), "--weights", str(tmp_path / "none.pt")],
        capture_output=True, text=True, timeout=120, env={**__import__("os").environ, "CNN_VIZ_DEBUG": "1"},
    )
    assert out.returncode == 2 and "Traceback" in out.stderr and "WeightsError" in out.stderr
