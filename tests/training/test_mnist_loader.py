"""The IDX loader reads the real MNIST and rejects damaged files with a clear error."""

import gzip
import shutil

import numpy as np
import pytest

from viz_app.training.mnist import IDXError, data_folder, load_split, read_idx


def test_real_mnist_test_split(mnist_test):
    assert mnist_test.images.shape == (10_000, 28, 28) and mnist_test.images.dtype == np.uint8
    counts = np.bincount(mnist_test.labels, minlength=10).tolist()
    assert counts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_mnist_train_split(mnist_dir):
    train = load_split("train", mnist_dir)
    assert len(train) == 60_000
    assert np.bincount(train.labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def _copy(mnist_dir, tmp_path):
    for f in mnist_dir.glob("t10k-*.gz"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


@pytest.mark.slow
def test_truncated_file_is_rejected(mnist_dir, tmp_path):
    folder = _copy(mnist_dir, tmp_path)
    path = folder / "t10k-images-idx3-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:-1000]))
    with pytest.raises(IDXError, match="truncated"):
        load_split("test", folder)


def test_wrong_magic_is_rejected(mnist_dir, tmp_path):
    folder = _copy(mnist_dir, tmp_path)
    path = folder / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[3] = 0x03  # claims to be an image file
    path.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(IDXError, match="wrong magic"):
        load_split("test", folder)


def test_broken_gzip_is_rejected(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(b"\x1f\x8b\x08 not really gzip")
    with pytest.raises(IDXError, match="cannot read"):
        read_idx(path, 0x801)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="MNIST folder not found"):
        data_folder(tmp_path / "nowhere")


def test_environment_variable_names_the_folder(mnist_dir, monkeypatch):
    monkeypatch.setenv("CNN_VIZ_DATA", str(mnist_dir))
    assert data_folder() == mnist_dir
