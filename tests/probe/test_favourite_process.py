"""Favourite inputs in a child process: the same image as in this process, a user's model opened
there again, idle CPU priority, and a clear message (not a hang) when the child dies."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from own_models import write_net, write_weights

from viz_app.errors import UserError
from viz_app.models import get_spec, load_model
from viz_app.models.custom import _import
from viz_app.models.user_model import ModelOptions, open_spec
from viz_app.probe.favourite import favourite_input
from viz_app.probe.favourite_process import PRIORITY_ENV, READY, FavouriteCancelled, FavouriteProcess, _launch

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def process():  # one child for the module: each start imports torch anew
    child = FavouriteProcess()
    yield child
    child.close()


@pytest.mark.slow
def test_the_child_computes_what_this_process_would(process: FavouriteProcess) -> None:
    lenet = load_model("lenet5")
    here = favourite_input(lenet.model, lenet.spec, "c3", 3)
    there = process.compute(get_spec("lenet5"), "", "c3", 3)
    np.testing.assert_array_equal(there.image, here.image)
    assert there.value == pytest.approx(here.value, rel=1e-4) and there.steps == here.steps
    # The live model is untouched: the child built its own.
    assert all(p.grad is None for p in lenet.model.parameters())


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SCHED_IDLE is Linux's")
@pytest.mark.parametrize("asked, policy", [(None, "SCHED_IDLE"), ("idle", "SCHED_IDLE"), ("normal", "SCHED_OTHER"), ("nonsense", "SCHED_IDLE")])
def test_the_child_runs_at_idle_priority_unless_asked_for_normal(asked, policy, monkeypatch) -> None:
    # The tests run the child at normal priority (conftest): on a busy runner an idle one may never
    # run, so this test does not wait for an idle child's first word, only for its policy.
    if asked is None:
        monkeypatch.delenv(PRIORITY_ENV, raising=False)
    else:
        monkeypatch.setenv(PRIORITY_ENV, asked)
    process, conn = _launch()
    try:
        deadline = time.monotonic() + 120  # a hang detector, not a figure
        if policy == "SCHED_IDLE":  # the child's first act, before it imports torch
            while os.sched_getscheduler(process.pid) != os.SCHED_IDLE:
                assert process.poll() is None and time.monotonic() < deadline, "the child never asked for idle priority"
                time.sleep(0.01)
        else:
            assert conn.poll(120) and conn.recv()[0] == READY  # ready: it set (or kept) its priority before
            assert os.sched_getscheduler(process.pid) == os.SCHED_OTHER
    finally:
        process.kill()
        process.wait()
        conn.close()


def test_a_user_model_is_opened_again_in_the_child(process: FavouriteProcess, tmp_path: Path) -> None:
    net = write_net(tmp_path)
    weights = write_weights(tmp_path, _import(net).build().eval())
    spec = open_spec(f"{net}:build", ModelOptions(input="1x28x28", mean=(0.5,), std=(0.25,)))
    loaded = load_model(spec.name, "cpu", weights)
    here = favourite_input(loaded.model, loaded.spec, "head", 2)
    there = process.compute(spec, str(weights), "head", 2)
    assert there.image.shape == (28, 28)
    np.testing.assert_array_equal(there.image, here.image)


def test_a_failure_in_the_child_is_a_message_and_the_child_carries_on(process: FavouriteProcess) -> None:
    with pytest.raises(UserError, match="no layer 'nowhere' in lenet5"):
        process.compute(get_spec("lenet5"), "", "nowhere", 0)
    assert process.compute(get_spec("lenet5"), "", "c1", 0).steps > 0


@pytest.mark.slow
def test_a_child_that_dies_gives_a_message_and_the_next_request_restarts_it() -> None:
    process = FavouriteProcess()
    process.start()
    pid = process.pid
    assert pid is not None
    os.kill(pid, 9)
    with pytest.raises(UserError, match="stopped"):
        process.compute(get_spec("lenet5"), "", "c1", 0)
    assert process.compute(get_spec("lenet5"), "", "c1", 1).steps > 0
    assert process.pid not in (None, pid)
    process.close()


def test_close_stops_a_computation_under_way() -> None:
    process = FavouriteProcess()
    outcome: list[BaseException] = []

    def ask() -> None:
        try:
            process.compute(get_spec("vgg_bn"), "", "features.0", 0)  # seconds of work: still running at close
        except BaseException as exc:
            outcome.append(exc)

    asker = threading.Thread(target=ask)
    asker.start()
    deadline = time.monotonic() + 30
    while process.pid is None and time.monotonic() < deadline:
        time.sleep(0.01)
    pid = process.pid
    assert pid is not None
    process.close()
    asker.join(10)
    assert not asker.is_alive() and len(outcome) == 1 and isinstance(outcome[0], FavouriteCancelled)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the child is gone (and reaped)
    assert torch.get_num_threads() == 1  # this process's own setting is not the child's
