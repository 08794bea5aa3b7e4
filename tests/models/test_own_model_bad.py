"""Each bad model file, labels file or input gives one clear line, and the running model stays."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import torch
from own_models import write_labels, write_net
from worker_queue import ask

from viz_app.errors import UserError
from viz_app.models import load_model
from viz_app.models.user_model import ModelOptions, open_spec

HEAD = "import torch\nfrom torch import nn\n"
BAD_FILES = {
    "raises on import": (HEAD + "x = 1\nraise RuntimeError('no GPU here')\n", "net.py raised RuntimeError on import (line 4): no GPU here"),
    "no build": (HEAD + "def make():\n    return nn.Linear(2, 2)\n", "has no function build() that builds the model (it defines: make)"),
    "not a module": (HEAD + "def build():\n    return 42\n", "returned int, not a torch.nn.Module"),
    "not a class vector": (HEAD + "def build():\n    return nn.Conv2d(1, 4, 3)\n", "not a vector of class scores"),
    "input rejected": (
        HEAD + "def build():\n    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(5, 10))\n",
        "rejects a 1x28x28, 1x32x32 input",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_model_file_says_what_is_wrong(kind: str, tmp_path: Path) -> None:
    body, message = BAD_FILES[kind]
    net = write_net(tmp_path, body)
    with pytest.raises(UserError) as caught:
        open_spec(f"{net}:build")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_weights_that_do_not_fit_and_labels_of_the_wrong_count(tmp_path: Path) -> None:
    net = write_net(tmp_path)
    with pytest.raises(UserError, match=r"labels.txt has 2 class names but the model gives 3 scores"):
        open_spec(f"{net}:build", ModelOptions(classes=write_labels(tmp_path, ["a", "b"])))
    wrong = tmp_path / "wrong.pt"
    torch.save({"head.weight": torch.zeros(5, 5)}, wrong)
    spec = open_spec(f"{net}:build")
    with pytest.raises(UserError, match="does not fit this model"):
        load_model(spec.name, "cpu", wrong)


def test_safetensors_weights_load_and_a_damaged_one_is_refused(tmp_path: Path) -> None:
    from safetensors.torch import save_file

    spec = open_spec(f"{write_net(tmp_path)}:build")
    state = {k: torch.full_like(v, 0.01) for k, v in spec.build().state_dict().items()}
    good = tmp_path / "net.safetensors"
    save_file(state, str(good))
    loaded = load_model(spec.name, "cpu", good)
    assert loaded.trained and torch.equal(loaded.model.state_dict()["head.bias"], state["head.bias"])
    bad = tmp_path / "cut.safetensors"
    bad.write_bytes(good.read_bytes()[:50])
    with pytest.raises(UserError, match="cut.safetensors is not a readable safetensors file"):
        load_model(spec.name, "cpu", bad)


def test_a_weights_pickle_that_would_run_code_is_refused_unrun(tmp_path: Path) -> None:
    from bad_files import write_weights

    marker = tmp_path / "ran"
    weights = write_weights("hostile", tmp_path, marker)
    spec = open_spec(f"{write_net(tmp_path)}:build")
    with pytest.raises(UserError, match="refused"):
        load_model(spec.name, "cpu", weights)
    assert not marker.exists()


def test_corrupt_unsupported_and_huge_onnx_files(tmp_path: Path) -> None:
    from onnx import TensorProto, helper, save

    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(b"not a protobuf at all" * 50)
    with pytest.raises(UserError, match="corrupt.onnx is not a readable ONNX model"):
        open_spec(str(corrupt))
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 28, 28])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])
    graph = helper.make_graph([helper.make_node("Frobnicate", ["x"], ["y"], domain="com.example")], "g", [x], [y])
    odd = tmp_path / "odd.onnx"
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)]), str(odd))
    with pytest.raises(UserError, match="odd.onnx uses an ONNX operator the converter does not support: .*Frobnicate"):
        open_spec(str(odd))
    huge = tmp_path / "huge.onnx"
    with huge.open("wb") as f:  # sparse: 2 GiB declared, nothing written
        f.truncate(2 << 30)
    with pytest.raises(UserError, match=r"huge.onnx is 2.0 GiB; a ONNX model this app shows is at most 1,024 MiB"):
        open_spec(str(huge))


def test_the_worker_opens_a_user_file_and_keeps_it_when_a_bad_one_follows(qtbot, tmp_path: Path, on_gui_thread) -> None:
    from viz_app.app.worker import InferenceThread
    from viz_app.records.frames import Frame

    net = write_net(tmp_path)
    (tmp_path / "net.json").write_text('{"input": "1x28x28", "classes": "labels.txt"}')
    write_labels(tmp_path)
    broken = write_net(tmp_path, HEAD + "raise ImportError('torchvisionn')\n", "broken.py")
    thread = InferenceThread()
    loaded: list = []
    thread.worker.model_loaded.connect(loaded.append)
    thread.start()
    try:
        ask(thread.worker, f"{net}:build", None)
        qtbot.waitUntil(lambda: bool(loaded), timeout=30_000)
        assert loaded[0].classes == ("circle", "square", "triangle") and loaded[0].input_size == (28, 28)
        with qtbot.waitSignal(on_gui_thread(thread.worker.refused), timeout=20_000) as signal:
            ask(thread.worker, f"{broken}:build", None)
        applied, message = signal.args[0]
        assert "broken.py raised ImportError on import" in message and "still showing net.py:build" in message
        assert applied.models[0].model.name == f"{net}:build"
        ink = np.zeros((280, 280), np.uint8)
        ink[60:220, 125:155] = 255
        with qtbot.waitSignal(on_gui_thread(thread.worker.result_ready), timeout=10_000) as shown:
            thread.worker.submit(Frame(ink, time.perf_counter(), 1))
        result = shown.args[0]
        assert result.model == str(net) + ":build" and len(loaded) == 1
        # Layers and prediction as running the user's module directly on the same input.
        from viz_app.models import get_spec
        from viz_app.models.custom import _import
        from viz_app.models.inputs import frame_to_tensor

        spec = get_spec(result.model)
        assert [layer.name for layer in result.layers] == [p for p, _ in spec.layers]
        x, _ = frame_to_tensor(ink, spec, torch.device("cpu"))
        with torch.inference_mode():
            expected = torch.softmax(_import(net).build().eval()(x), 1)[0].numpy()
        np.testing.assert_allclose(result.probabilities, expected, atol=1e-5)
    finally:
        assert thread.stop()

