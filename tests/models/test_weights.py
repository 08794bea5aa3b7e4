"""Weights files a user may hand the app: good, missing, corrupt, hostile, wrong-shaped."""

import os

import pytest
import torch

from viz_app.models import WeightsError, load_model
from viz_app.models.weights import read_state_dict


@pytest.fixture()
def good_state():
    return load_model("lenet5", strict=True).model.state_dict()


def test_shipped_weights_load_with_their_card():
    loaded = load_model("lenet5", strict=True)
    assert loaded.trained and loaded.weights.endswith("lenet5.pt")
    assert loaded.card["test_accuracy"] >= 0.992
    info = loaded.info()
    assert info.trained and info.parameters == 61_706 and info.classes == tuple("0123456789")


def test_missing_file_gives_untrained_model_and_a_message(tmp_path):
    loaded = load_model("lenet5", weights=tmp_path / "nope.pt")
    assert not loaded.trained and loaded.weights == "untrained weights"
    assert "not found" in loaded.warnings[0] and "untrained" in loaded.warnings[0]
    with pytest.raises(WeightsError, match="not found"):
        load_model("lenet5", weights=tmp_path / "nope.pt", strict=True)


@pytest.mark.parametrize("content", [b"", b"garbage" * 100, b"PK\x03\x04 truncated zip"])
def test_corrupt_files_are_refused(tmp_path, content):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(WeightsError):
        read_state_dict(path)
    assert "untrained" in load_model("lenet5", weights=path).warnings[0]


def test_truncated_weights_file_is_refused(tmp_path, good_state):
    path = tmp_path / "cut.pt"
    torch.save(good_state, path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(WeightsError, match="not a readable"):
        read_state_dict(path)


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/cnn_viz_pwned",))


def test_hostile_pickle_is_refused_without_running_it(tmp_path):
    marker = "/tmp/cnn_viz_pwned"
    if os.path.exists(marker):
        os.remove(marker)
    path = tmp_path / "evil.pt"
    torch.save({"c1.0.weight": _Evil()}, path)
    with pytest.raises(WeightsError, match="refused"):
        read_state_dict(path)
    assert not os.path.exists(marker)


def test_wrong_shapes_are_named(tmp_path, good_state):
    state = dict(good_state)
    state["c1.0.weight"] = torch.zeros(8, 1, 5, 5)
    path = tmp_path / "wrong.pt"
    torch.save(state, path)
    with pytest.raises(WeightsError, match=r"c1\.0\.weight: file \(8, 1, 5, 5\), model \(6, 1, 5, 5\)"):
        load_model("lenet5", weights=path, strict=True)


def test_weights_of_another_model_are_refused(tmp_path):
    path = tmp_path / "other.pt"
    torch.save(torch.nn.Linear(3, 2).state_dict(), path)
    with pytest.raises(WeightsError, match="missing"):
        load_model("lenet5", weights=path, strict=True)


def test_non_finite_weights_are_refused(tmp_path, good_state):
    state = dict(good_state)
    state["output.bias"] = torch.full((10,), float("nan"))
    path = tmp_path / "nan.pt"
    torch.save(state, path)
    with pytest.raises(WeightsError, match="NaN"):
        load_model("lenet5", weights=path, strict=True)


def test_wrapped_state_dict_is_accepted(tmp_path, good_state):
    path = tmp_path / "wrapped.pt"
    torch.save({"state_dict": good_state}, path)
    assert load_model("lenet5", weights=path, strict=True).trained


def test_plain_text_file_is_refused(tmp_path):
    path = tmp_path / "notes.pt"
    path.write_text("this is not a weights file")
    with pytest.raises(WeightsError, match="not a PyTorch weights file"):
        read_state_dict(path)
