"""The MNIST test set browser and its jump to the model's next mistake."""

from __future__ import annotations

import numpy as np
import torch
from bad_files import write_mnist

from viz_app.app.mnist_tab import model_classifier
from viz_app.models import load_model
from viz_app.models.inputs import frame_to_tensor
from viz_app.sources.mnist_browser import MnistBrowser
from viz_app.training.evaluate import evaluate
from viz_app.training.mnist import Digits, load_split


def _browser(mnist_test):
    browser = MnistBrowser(digits=mnist_test)
    frames, messages = [], []
    browser.start(frames.append, messages.append)
    return browser, frames, messages


def test_steps_through_test_digits_with_true_labels(mnist_test) -> None:
    browser, frames, messages = _browser(mnist_test)
    assert len(frames) == 1 and frames[0].source == "mnist"
    np.testing.assert_array_equal(frames[0].image, mnist_test.images[0])
    assert browser.label == int(mnist_test.labels[0])
    browser.step(1)
    browser.step(1)
    browser.step(-1)
    assert browser.index == 1 and len(frames) == 4
    np.testing.assert_array_equal(frames[-1].image, mnist_test.images[1])
    browser.step(-2)  # wraps around
    assert browser.index == len(mnist_test) - 1
    assert [f.seq for f in frames] == [1, 2, 3, 4, 5]
    assert not messages


def test_next_misclassified_finds_lenet5s_real_mistakes(mnist_test) -> None:
    loaded = load_model("lenet5", "cpu", strict=True)

    def classify(images: np.ndarray) -> np.ndarray:
        digits = Digits(images, np.zeros(len(images), np.int64), "")
        return evaluate(loaded.model, loaded.spec, digits, torch.device("cpu")).predictions

    errors = np.flatnonzero(evaluate(loaded.model, loaded.spec, mnist_test, torch.device("cpu")).predictions != mnist_test.labels)
    browser, frames, messages = _browser(mnist_test)
    assert browser.next_misclassified() is None and "No digit model" in messages[0]
    browser.set_classifier(classify)
    first = browser.next_misclassified()
    assert first == errors[0]
    assert browser.prediction() != browser.label
    assert browser.next_misclassified() == errors[1]
    np.testing.assert_array_equal(frames[-1].image, mnist_test.images[errors[1]])
    browser.goto(int(errors[-1]))
    assert browser.next_misclassified() == errors[0]  # wraps around


def test_window_classifier_agrees_with_the_window(mnist_test) -> None:
    classify = model_classifier("lenet5")
    assert classify is not None
    browser, frames, _ = _browser(mnist_test)
    browser.set_classifier(classify)
    found = browser.next_misclassified()
    assert found is not None
    # Through the window's own preprocessing the model gets this digit wrong too.
    loaded = load_model("lenet5", "cpu", strict=True)
    x, blank = frame_to_tensor(frames[-1].image, loaded.spec, torch.device("cpu"))
    with torch.inference_mode():
        assert int(loaded.model(x).argmax()) == browser.prediction() != browser.label
    assert not blank


def test_loads_the_test_set_in_the_background(mnist_dir) -> None:
    browser = MnistBrowser(load=lambda: load_split("test", mnist_dir))
    frames, messages = [], []
    browser.start(frames.append, messages.append)
    assert browser.wait_loaded(30)
    assert len(browser) == 10_000 and len(frames) == 1 and browser.label == 7 and not messages


def test_missing_data_is_a_message(tmp_path) -> None:
    browser = MnistBrowser(load=lambda: load_split("test", tmp_path))
    frames, messages = [], []
    browser.start(frames.append, messages.append)
    assert not browser.wait_loaded(10)
    assert not frames and "Could not open the MNIST test set" in messages[0]
    browser.step(1)  # nothing to step through, no crash
    assert browser.next_misclassified() is None


def test_a_data_folder_without_images_is_a_message_not_a_thread_crash(tmp_path, capfd) -> None:
    folder = write_mnist("no_images", tmp_path / "data")
    browser = MnistBrowser(load=lambda: load_split("test", folder))
    frames, messages = [], []
    browser.start(frames.append, messages.append)
    assert not browser.wait_loaded(timeout=10)
    assert frames == [] and len(messages) == 1 and "hold no images" in messages[0]
    assert "Traceback" not in capfd.readouterr().err
