"""The installed `cnn-viz` command: models, eval on the real test set, train, predict."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from viz_app.opencv import cv2

CNN_VIZ = shutil.which("cnn-viz") or pytest.fail("the cnn-viz console script is not installed")


def run(*args, timeout=600):
    return subprocess.run([CNN_VIZ, *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_models_lists_lenet5():
    out = run("models")
    assert out.returncode == 0
    line = next(row for row in out.stdout.splitlines() if row.startswith("lenet5 "))
    assert "trained" in line and "%" in line


@pytest.mark.slow
def test_eval_lenet5_reaches_99_2_percent_on_mnist_test_set(mnist_dir):
    out = run("eval", "lenet5", "--data", str(mnist_dir), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["model"] == "lenet5" and report["n"] == 10_000
    assert report["accuracy"] >= 0.992


@pytest.mark.slow
def test_eval_with_a_broken_data_folder_says_why(tmp_path):
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b\x08 broken")
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b\x08 broken")
    out = run("eval", "lenet5", "--data", str(tmp_path))
    assert out.returncode == 2 and "cannot read" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_unknown_model_is_a_clear_error():
    out = run("eval", "no_such_model")
    assert out.returncode == 2 and "unknown model" in out.stderr and "lenet5" in out.stderr


@pytest.mark.slow
def test_train_writes_weights_and_a_model_card(mnist_dir, tmp_path):
    out_file = tmp_path / "quick.pt"
    out = run("train", "lenet5", "--data", str(mnist_dir), "--epochs", "1", "--limit", "3000", "--out", str(out_file), "--device", "cpu")
    assert out.returncode == 0, out.stderr
    card = json.loads(out_file.with_suffix(".json").read_text())
    for key in ("test_accuracy", "parameters", "recipe", "seed", "train_seconds", "data"):
        assert key in card
    assert card["parameters"] == 61_706 and card["n_test"] == 10_000
    assert card["recipe"]["epochs"] == 1 and card["recipe"]["train_samples"] == 3000
    assert 0.5 < card["test_accuracy"] < 1.0
    again = run("eval", "lenet5", "--data", str(mnist_dir), "--weights", str(out_file), "--json")
    assert json.loads(again.stdout)["accuracy"] == pytest.approx(card["test_accuracy"])


def _photo(digit: np.ndarray, dark_on_light: bool) -> np.ndarray:
    """A digit as a phone would see it on paper: big, off-centre, with a lighting gradient."""
    big = cv2.resize(digit, (180, 180), interpolation=cv2.INTER_CUBIC)
    page = np.zeros((400, 300), np.float32)
    page[60:240, 90:270] = big
    ink = page / 255.0
    light = np.linspace(0.75, 1.0, 300)[None, :] * np.ones((400, 1))
    image = (1 - ink) * 235 * light + ink * 30 if dark_on_light else ink * 220 * light + (1 - ink) * 25
    return image.clip(0, 255).astype(np.uint8)


@pytest.mark.slow
def test_predict_reads_photos_either_way_round(mnist_test, tmp_path):
    files, labels = [], []
    for i in range(8):
        image = _photo(mnist_test.images[i], dark_on_light=i % 2 == 0)
        path = tmp_path / f"digit{i}.png"
        cv2.imwrite(str(path), image)
        files.append(str(path))
        labels.append(str(mnist_test.labels[i]))
    out = run("predict", "lenet5", *files, "--json")
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["prediction"] for r in records] == labels
    assert all(abs(sum(r["probabilities"].values()) - 1) < 1e-4 for r in records)


@pytest.mark.slow
def test_predict_reports_unreadable_files_and_goes_on(mnist_test, tmp_path):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), _photo(mnist_test.images[0], True))
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    out = run("predict", "lenet5", str(bad), str(good))
    assert out.returncode == 2
    assert "bad.png: cannot read" in out.stderr
    assert f"good.png: {mnist_test.labels[0]}" in out.stdout


@pytest.mark.slow
def test_module_entry_point_works():
    out = subprocess.run([sys.executable, "-m", "viz_app", "models"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "lenet5" in out.stdout


@pytest.mark.slow
def test_robustness_scores_every_step_of_a_scene_on_the_test_set(mnist_dir):
    out = run("robustness", "lenet5", "--scene", "stroke", "--data", str(mnist_dir), "--json")
    assert out.returncode == 0, out.stderr
    curve = json.loads(out.stdout)["stroke"][0]
    assert curve["model"] == "lenet5" and curve["n"] == 10_000
    by_value = {step["value"]: step["accuracy"] for step in curve["steps"]}
    assert list(by_value) == [-1.0, 0.0, 1.0, 2.0, 3.0]
    assert by_value[0.0] == 0.9934  # what `cnn-viz eval lenet5` reports: the pen as drawn
    assert by_value[3.0] < by_value[2.0] < by_value[0.0]  # a fatter pen, a worse reading


@pytest.mark.parametrize(
    "args, message",
    [(("lenet5", "--scene", "spin"), "no scene 'spin'"), (("imagenet_resnet18",), "does not read MNIST digits")],
)
@pytest.mark.slow
def test_robustness_refuses_what_it_cannot_measure(args, message, mnist_dir):
    out = run("robustness", *args, "--data", str(mnist_dir))
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr
