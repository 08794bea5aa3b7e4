"""The fast path a model gets on its device: reduced precision only when asked, channels_last for photo models on CUDA."""

from __future__ import annotations

import pytest
import torch

from viz_app.models import load_model
from viz_app.models.device import DeviceError, FastPath, fast_path
from viz_app.models.inputs import digits_to_tensor
from viz_app.state.options import RunOptions

CPU, CUDA = torch.device("cpu"), torch.device("cuda")


def test_reduced_precision_is_off_on_the_cpu_unless_asked() -> None:
    for size in ((224, 224), (32, 32)):
        assert fast_path(CPU, size) == FastPath() == fast_path(CPU, size, "fp32")
    assert fast_path(CPU, (224, 224), "bf16") == FastPath(channels_last=False, autocast=torch.bfloat16)
    with pytest.raises(DeviceError, match="unknown precision 'int4'"):
        fast_path(CPU, (224, 224), "int4")


def test_cuda_gives_photo_models_channels_last_and_reduced_precision_when_asked() -> None:
    """Decided without a GPU: the device object is all it reads."""
    assert fast_path(CUDA, (224, 224)) == FastPath(channels_last=True, autocast=None)
    assert fast_path(CUDA, (299, 299), "bf16") == FastPath(channels_last=True, autocast=torch.bfloat16)
    assert fast_path(CUDA, (224, 224), "fp16") == FastPath(channels_last=True, autocast=torch.float16)
    assert fast_path(CUDA, (32, 32)) == FastPath()  # digit models: launch-bound, nothing to gain
    assert fast_path(CUDA, (224, 224), "fp32") == FastPath()


def test_fast_path_prepares_model_and_input_and_keeps_predictions(mnist_test) -> None:
    """Asked for on the CPU (bf16 autocast, channels_last forced): the digits' top-1 is the fp32 one."""
    loaded = load_model("lenet5")
    x = digits_to_tensor(mnist_test.images[:200], loaded.spec)
    with torch.inference_mode():
        reference = loaded.model(x).argmax(1)
        fast = FastPath(channels_last=True, autocast=torch.bfloat16)
        model = fast.prepare(loaded.model)
        assert fast.input(x).is_contiguous(memory_format=torch.channels_last)
        with fast.autocast_on(CPU):
            logits = model(fast.input(x))
        model.to(memory_format=torch.contiguous_format)
    assert logits.dtype == torch.bfloat16
    assert (logits.argmax(1) == reference).float().mean() >= 0.99


def test_the_command_line_offers_the_precisions_the_fast_path_knows(capsys) -> None:
    from viz_app.cli import _parser
    from viz_app.models import device
    from viz_app.state.options import PRECISIONS  # defined once, without torch: the command line offers these

    assert device.PRECISIONS is PRECISIONS
    for precision in PRECISIONS:
        device.fast_path(torch.device("cpu"), (32, 32), precision)  # each is one the fast path knows
    assert _parser().parse_args(["--precision", "bf16"]).precision == "bf16"
    assert _parser().parse_args(["bench", "--precision", "fp16"]).precision == "fp16"
    assert _parser().parse_args([]).precision == "auto"
    with pytest.raises(SystemExit) as exit_:
        _parser().parse_args(["--precision", "int8"])
    assert exit_.value.code == 2 and "invalid choice: 'int8'" in capsys.readouterr().err


def test_a_pipeline_asked_for_bf16_says_so_and_keeps_the_digit(mnist_test) -> None:
    """The window's status bar shows ``Pipeline.info().device``: an autocast asked for is named there."""
    from viz_app.probe.pipeline import Pipeline
    from viz_app.records.frames import Frame

    loaded = load_model("lenet5")
    with Pipeline(loaded) as plain:
        assert plain.info().device.startswith("CPU (") and "autocast" not in plain.info().device
        reference = plain.process(Frame(mnist_test.images[0], 0.0))
    with Pipeline(loaded, run=RunOptions(precision="bf16")) as reduced:
        assert reduced.info().device.endswith(", bfloat16 autocast")
        result = reduced.process(Frame(mnist_test.images[0], 0.0))
    assert int(result.probabilities.argmax()) == int(reference.probabilities.argmax()) == int(mnist_test.labels[0])
