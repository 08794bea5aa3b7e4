"""The guarded boundary around a user's model code: whatever it raises (sys.exit included), however
long it takes, however big it is and whatever its forward gives, the user reads one line and the
app goes on."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from own_models import NET, write_net
from worker_queue import ask

from viz_app.errors import UserError
from viz_app.memory import rss_mb
from viz_app.models import load_model, trial
from viz_app.models.guard import UserCodeError
from viz_app.models.user_model import ModelOptions, open_spec
from viz_app.models.weights import WeightsError
from viz_app.probe.pipeline import ModelOutputError, Pipeline
from viz_app.records.frames import Frame

HEAD = "import torch\nfrom torch import nn\n"
SMALL = HEAD + '''
class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.head = nn.Linear(4 * 26 * 26, 10)

    def forward(self, x):
{check}
        return self.head(torch.relu(self.conv(x)).flatten(1)){times}


def build():
    torch.manual_seed(0)
    return Small()
'''


def small(tmp_path: Path, check: str = "        pass", times: str = "", name: str = "small.py") -> Path:
    return write_net(tmp_path, SMALL.format(check=check, times=times), name)


def ink() -> np.ndarray:
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 12:16] = 255  # a one
    return image


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_sys_exit_in_build_is_one_line_not_the_end_of_the_app(tmp_path: Path) -> None:
    net = write_net(tmp_path, HEAD + "import sys\n\ndef build():\n    sys.exit(3)\n", "quits.py")
    with pytest.raises(UserCodeError) as caught:
        open_spec(f"{net}:build")
    assert one_line(caught.value) == "quits.py:build() raised SystemExit (line 6): sys.exit(3)"


def test_sys_exit_on_import_and_in_the_forward_are_one_line(tmp_path: Path) -> None:
    net = write_net(tmp_path, HEAD + "import sys\nsys.exit('no GPU')\n", "leaves.py")
    with pytest.raises(UserError, match=r"leaves.py raised SystemExit on import \(line 4\): sys.exit\('no GPU'\)"):
        open_spec(f"{net}:build")
    # Ink (up to 2.8 once normalised) in a batch of one: a frame, not the opening's zeros or the calibration's four.
    spec = open_spec(f"{small(tmp_path, check='        if x.shape[0] == 1 and x.max() > 2.5: raise SystemExit(1)')}:build", ModelOptions(input="1x28x28"))
    with Pipeline(load_model(spec.name, "cpu"), layers=[]) as pipeline, pytest.raises(UserCodeError) as caught:
        pipeline.process(Frame(ink(), time.perf_counter()))
    assert "small.py:build raised SystemExit in its forward (line 11)" in one_line(caught.value)


def test_a_forward_that_takes_a_batch_of_one_only_is_calibrated_on_one_and_runs(tmp_path: Path) -> None:
    check = "        if x.shape[0] != 1: raise ValueError(f'one at a time, not {x.shape[0]}')"
    spec = open_spec(f"{small(tmp_path, check=check, name='one.py')}:build", ModelOptions(input="1x28x28"))
    with Pipeline(load_model(spec.name, "cpu")) as pipeline:
        result = pipeline.process(Frame(ink(), time.perf_counter()))
    assert result.probabilities.shape == (10,) and np.isfinite(result.probabilities).all()


def test_a_forward_that_runs_on_nothing_is_refused_when_opened_in_one_line(tmp_path: Path) -> None:
    check = "        RUNS.append(x.device.type)\n        if RUNS.count('cpu') > 1: raise KeyError('w')"
    net = small(tmp_path, check=check, name="never.py")
    net.write_text(net.read_text() + "\nRUNS = []\n")
    spec = open_spec(f"{net}:build", ModelOptions(input="1x28x28"))  # the opening's one forward on the CPU runs
    with pytest.raises(ModelOutputError) as caught:
        Pipeline(load_model(spec.name, "cpu"), layers=[])
    assert one_line(caught.value).startswith("never.py:build does not run on a random 1x1x28x28 input: never.py:build raised KeyError")


def test_nan_scores_end_in_one_line_not_a_nan_percent_answer(tmp_path: Path) -> None:
    net = small(tmp_path, times=" * float('nan')", name="nan.py")
    spec = open_spec(f"{net}:build", ModelOptions(input="1x28x28"))
    with Pipeline(load_model(spec.name, "cpu"), layers=[]) as pipeline, pytest.raises(ModelOutputError) as caught:
        pipeline.process(Frame(ink(), time.perf_counter()))
    assert one_line(caught.value) == "nan.py:build gives NaN or infinite scores for this input; its weights or its forward are broken"


def test_a_file_that_never_finishes_importing_is_stopped_in_its_child_and_never_runs_here(tmp_path: Path, monkeypatch) -> None:
    net = write_net(tmp_path, HEAD + "import time\ntime.sleep(600)\n", "sleepy.py")
    monkeypatch.setattr(trial, "_limit_s", 10.0)
    with pytest.raises(UserError) as caught:  # at the limit: the child is killed, not waited for
        open_spec(f"{net}:build")
    assert "sleepy.py did not import and run build() within 10 s" in one_line(caught.value) and "--timeout" in str(caught.value)
    assert not any(name.endswith("sleepy") for name in sys.modules)


def test_a_build_that_loops_forever_is_stopped_and_a_closing_app_stops_the_wait(tmp_path: Path, monkeypatch) -> None:
    import threading

    from viz_app.models.cancel import Cancelled, cancellable

    net = write_net(tmp_path, HEAD + "def build():\n    while True:\n        pass\n", "busy.py")
    monkeypatch.setattr(trial, "_limit_s", 600.0)
    closing = threading.Event()
    threading.Timer(1.0, closing.set).start()  # the window closes while the trial runs
    with pytest.raises(Cancelled):  # raised by the closing, long before the 600 s limit
        cancellable(closing, open_spec, f"{net}:build")


def test_a_model_too_big_for_this_machine_is_refused_before_anything_is_allocated(tmp_path: Path) -> None:
    net = write_net(tmp_path, HEAD + "def build():\n    return nn.Sequential(nn.Flatten(), nn.Linear(784, 2_000_000_000_000 // 784))\n", "huge.py")
    before = rss_mb()
    with pytest.raises(UserError) as caught:
        open_spec(f"{net}:build", ModelOptions(input="1x28x28"))
    text = one_line(caught.value)
    assert "huge.py:build would take" in text and "parameters" in text and "this machine has free; nothing was allocated" in text
    assert rss_mb() - before < 500  # 7.5 TB asked for; nothing of it taken


def test_weights_of_another_float_type_are_converted_with_a_note_and_integer_or_complex_ones_refused(tmp_path: Path) -> None:
    spec = open_spec(f"{write_net(tmp_path, NET)}:build")
    state = spec.build().state_dict()
    half = tmp_path / "half.pt"
    torch.save({k: v.half() for k, v in state.items()}, half)
    loaded = load_model(spec.name, "cpu", half, strict=True)
    assert loaded.trained and any("half.pt holds float16 weights: converted to the model's float32" in w for w in loaded.warnings)
    assert loaded.model.head.weight.dtype == torch.float32
    for dtype in (torch.int8, torch.complex64):
        bad = tmp_path / f"{str(dtype)[6:]}.pt"
        torch.save({k: v.to(dtype) for k, v in state.items()}, bad)
        with pytest.raises(WeightsError, match=f"holds {str(dtype)[6:]} values in .* save the float weights"):
            load_model(spec.name, "cpu", bad, strict=True)


def test_a_failure_on_every_frame_is_said_once_then_counted() -> None:
    from viz_app.app.worker import FailureCount

    failures = FailureCount()
    said = [failures.count(RuntimeError("small.py:build raised ValueError in its forward: no")) for _ in range(1000)]
    shown = [(i + 1, text) for i, text in enumerate(said) if text is not None]
    assert [n for n, _ in shown] == [1, 10, 100, 1000]
    assert shown[0][1] == "Inference failed on this input: small.py:build raised ValueError in its forward: no"
    assert shown[2][1] == "Inference failed 100 times: small.py:build raised ValueError in its forward: no"
    assert failures.count(RuntimeError("another")) == "Inference failed on this input: another"  # news again


def test_the_worker_reports_a_failing_forward_once_without_a_traceback(qtbot, tmp_path: Path, on_gui_thread, capfd) -> None:
    from viz_app.app.worker import InferenceThread

    net = small(tmp_path, check="        if x.shape[0] == 1 and x.max() > 2.5: raise ValueError('ink')", name="late.py")
    spec_text = f"{net}:build"
    thread = InferenceThread()
    messages: list[str] = []
    loaded: list = []
    on_gui_thread(thread.worker.failed).connect(messages.append)
    thread.worker.model_loaded.connect(loaded.append)
    thread.start()
    try:
        ask(thread.worker, spec_text, None)
        qtbot.waitUntil(lambda: bool(loaded), timeout=30_000)
        for seq in range(1, 13):  # one at a time: each reaches the forward (latest wins would drop some)
            thread.worker.submit(Frame(ink(), time.perf_counter(), seq))
            qtbot.waitUntil(lambda n=seq: sum(thread.worker.failures.counts.values()) == n, timeout=20_000)
        qtbot.waitUntil(lambda: len(messages) == 3, timeout=10_000)
        assert "no weights file given" in messages[0]  # the load's note, then the frames' one error, counted
        assert messages[1:] == ["Inference failed on this input: late.py:build raised ValueError in its forward (line 11): ink",
                            "Inference failed 10 times: late.py:build raised ValueError in its forward (line 11): ink"]  # fmt: skip
    finally:
        assert thread.stop()
    assert "Traceback" not in capfd.readouterr().err
