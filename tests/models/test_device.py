"""Choosing the device and the CPU threads a model gets; the messages for a device that is not there."""

from __future__ import annotations

import pytest
import torch

from viz_app.errors import UserError
from viz_app.models.device import DeviceError, cpu_threads, describe, resolve_device, waits_for_drawing
from viz_app.models.registry import specs_in_group


def test_digit_models_leave_a_core_to_the_gui_and_photo_models_take_every_core() -> None:
    zoo, imagenet = specs_in_group("MNIST zoo"), specs_in_group("ImageNet")
    assert zoo and imagenet
    assert {cpu_threads(spec.input.size, cores=2) for spec in zoo} == {1}
    assert {cpu_threads(spec.input.size, cores=2) for spec in imagenet} == {2}
    assert cpu_threads((32, 32), cores=8) == 7 and cpu_threads((224, 224), cores=8) == 8
    assert cpu_threads((28, 28), cores=1) == 1  # never none


def test_a_model_waits_for_the_drawing_only_when_its_threads_take_every_core() -> None:
    cpu, gpu = torch.device("cpu"), torch.device("cuda", 0)
    for spec in specs_in_group("ImageNet"):
        assert waits_for_drawing(cpu, cpu_threads(spec.input.size, cores=2), cores=2)
        assert not waits_for_drawing(gpu, cpu_threads(spec.input.size, cores=2), cores=2)
    for spec in specs_in_group("MNIST zoo"):
        assert not waits_for_drawing(cpu, cpu_threads(spec.input.size, cores=2), cores=2)  # a core is the GUI's
        assert waits_for_drawing(cpu, cpu_threads(spec.input.size, cores=1), cores=1)  # one core: shared


def test_devices_resolve_and_bad_ones_say_why() -> None:
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(DeviceError, match="unknown device 'gpu0'"):
        resolve_device("gpu0")
    with pytest.raises(DeviceError, match="unsupported device"):
        resolve_device("meta")
    assert issubclass(DeviceError, UserError)
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="no CUDA device is available here"):
            resolve_device("cuda")
    threads = torch.get_num_threads()
    assert describe(torch.device("cpu")) == f"CPU ({threads} thread{'' if threads == 1 else 's'})"
