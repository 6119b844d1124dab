"""course_utils.data: the offline idx loader, its error messages, and the preparation helpers."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from course_utils.data import (
    MNIST_FILES,
    MnistDataError,
    encode_labels,
    load_mnist,
    prepare_images,
    read_idx,
    split_validation,
)

REAL_DATA = os.environ.get("MNIST_DATA_DIR")


def idx_bytes(array: np.ndarray) -> bytes:
    """The idx encoding of a uint8 array: magic (0, 0, 8, ndim), big-endian dimensions, values."""
    header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def write_idx(path: Path, content: bytes, compress: bool = True) -> None:
    if compress:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(content))
    else:
        path.write_bytes(content)


def small_mnist(folder: Path, n_train: int = 6, n_test: int = 4, compress: bool = True) -> dict[str, str]:
    """Write a tiny, valid MNIST-shaped data set; return the MD5 checksums of its files."""
    rng = np.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_labels": np.arange(n_train, dtype=np.uint8) % 10,
        "test_images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_labels": np.arange(n_test, dtype=np.uint8) % 10,
    }
    checksums = {}
    for key, array in arrays.items():
        content = idx_bytes(array)
        write_idx(folder / MNIST_FILES[key], content, compress)
        checksums[key] = hashlib.md5(content).hexdigest()
    return checksums


def load_small(folder: Path, checksums: dict[str, str]):
    return load_mnist(folder, checksums=checksums, counts=None)


def test_reads_gzipped_idx_files(tmp_path):
    checksums = small_mnist(tmp_path)
    (x_train, y_train), (x_test, y_test) = load_small(tmp_path, checksums)
    assert x_train.shape == (6, 28, 28) and x_train.dtype == np.uint8
    assert y_train.tolist() == [0, 1, 2, 3, 4, 5]
    assert x_test.shape == (4, 28, 28) and y_test.shape == (4,)


def test_accepts_uncompressed_files(tmp_path):
    checksums = small_mnist(tmp_path, compress=False)
    (x_train, _), _ = load_small(tmp_path, checksums)
    assert x_train.shape == (6, 28, 28)


def test_reads_folder_from_environment(tmp_path, monkeypatch):
    checksums = small_mnist(tmp_path)
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path))
    (x_train, _), _ = load_mnist(checksums=checksums, counts=None)
    assert len(x_train) == 6


def test_missing_folder_says_what_to_do(tmp_path):
    with pytest.raises(MnistDataError, match="not a folder.*MNIST_DATA_DIR|MNIST_DATA_DIR.*not a folder"):
        load_mnist(tmp_path / "nowhere")


def test_missing_file_is_named(tmp_path):
    checksums = small_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MnistDataError, match=r"t10k-labels-idx1-ubyte\.gz .*is missing"):
        load_small(tmp_path, checksums)


def test_truncated_gzip_is_reported(tmp_path):
    checksums = small_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(MnistDataError,
                       match=r"train-images-idx3-ubyte\.gz is not a complete gzip file.*Download it again"):
        load_small(tmp_path, checksums)


def test_wrong_magic_number_is_reported(tmp_path):
    checksums = small_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", b"\x00\x00\x0d\x01" + bytes(8))
    with pytest.raises(MnistDataError,
                       match=r"train-labels-idx1-ubyte\.gz is not an MNIST idx file: wrong magic number \(00000d01\)"):
        load_small(tmp_path, checksums)


def test_wrong_count_in_header_is_reported(tmp_path):
    small_mnist(tmp_path)
    with pytest.raises(MnistDataError,
                       match=r"train-images-idx3-ubyte\.gz says it holds 6 items; the MNIST file holds 60000"):
        load_mnist(tmp_path)


def test_data_shorter_than_header_is_reported(tmp_path):
    checksums = small_mnist(tmp_path)
    content = idx_bytes(np.zeros((4, 28, 28), dtype=np.uint8))
    write_idx(tmp_path / "t10k-images-idx3-ubyte", content[:-28])
    with pytest.raises(MnistDataError,
                       match=r"t10k-images-idx3-ubyte\.gz has 3108 bytes of data "
                             r"but its header \(4, 28, 28\) needs 3136"):
        load_small(tmp_path, checksums)


def test_single_changed_pixel_fails_the_checksum(tmp_path):
    checksums = small_mnist(tmp_path)
    images = read_idx(tmp_path / "t10k-images-idx3-ubyte.gz")
    images[2, 14, 14] ^= 1
    write_idx(tmp_path / "t10k-images-idx3-ubyte", idx_bytes(images))
    with pytest.raises(MnistDataError, match=r"t10k-images-idx3-ubyte\.gz does not match the published MNIST checksum"
                                             r".*Download the original file again"):
        load_small(tmp_path, checksums)


def test_image_and_label_counts_must_agree(tmp_path):
    checksums = small_mnist(tmp_path)
    labels = idx_bytes(np.arange(5, dtype=np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels)
    checksums["train_labels"] = hashlib.md5(labels).hexdigest()
    with pytest.raises(MnistDataError, match="The train files in .* disagree: 6 images but 5 labels"):
        load_small(tmp_path, checksums)


def test_bad_input_writes_nothing(tmp_path):
    checksums = small_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:50])
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(MnistDataError):
        load_small(tmp_path, checksums)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_no_network_and_no_data_dir_explains_the_way_out(tmp_path):
    """Without MNIST_DATA_DIR, Keras downloads; with the network unreachable that fails clearly.

    A proxy on a closed loopback port makes the download fail at once, as it does offline.
    """
    script = textwrap.dedent(
        """
        from course_utils.data import load_mnist, MnistDataError
        try:
            load_mnist()
        except MnistDataError as error:
            print("ERROR:", error)
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "MNIST_DATA_DIR"}
    env.update(KERAS_HOME=str(tmp_path / "keras"), HTTPS_PROXY="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
               HTTP_PROXY="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9", NO_PROXY="", no_proxy="")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert "ERROR: Keras could not download MNIST" in result.stdout, result.stdout + result.stderr
    assert "set the environment variable MNIST_DATA_DIR to that folder" in result.stdout
    assert "Behind a proxy, set HTTPS_PROXY" in result.stdout
    left = [p for p in (tmp_path / "keras" / "datasets").rglob("*") if p.is_file()]
    assert left == [], f"a failed download left files behind: {left}"  # (keras.json is Keras' own config)


@pytest.mark.skipif(not REAL_DATA, reason="MNIST_DATA_DIR is not set")
def test_real_mnist_matches_keras_shapes_and_class_counts():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert (x_train.shape, y_train.shape) == ((60000, 28, 28), (60000,))
    assert (x_test.shape, y_test.shape) == ((10000, 28, 28), (10000,))
    assert x_train.dtype == y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_prepare_images_adds_channel_and_scales():
    images = np.array([[[0, 255] * 14] * 28], dtype=np.uint8)
    prepared = prepare_images(images)
    assert prepared.shape == (1, 28, 28, 1) and prepared.dtype == np.float32
    assert prepared.min() == 0.0 and prepared.max() == 1.0


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((2, 28, 28), dtype=np.float32), "expects the raw uint8 images.*got dtype float32"),
        (np.zeros((28, 28), dtype=np.uint8), r"shape \(N, 28, 28\), got \(28, 28\).*images\[None\]"),
        (np.zeros((2, 28, 28, 1), dtype=np.uint8), r"shape \(N, 28, 28\), got \(2, 28, 28, 1\)"),
    ],
)
def test_prepare_images_rejects_wrong_input(images, message):
    with pytest.raises(ValueError, match=message):
        prepare_images(images)


def test_encode_labels_is_one_hot():
    encoded = encode_labels(np.array([3, 0, 9], dtype=np.uint8))
    assert encoded.shape == (3, 10) and encoded.dtype == np.float32
    assert encoded.argmax(axis=1).tolist() == [3, 0, 9] and encoded.sum(axis=1).tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.eye(10, dtype=np.float32)[:3], r"1-D array.*one-hot already"),
        (np.array([0.0, 1.0]), "integer labels"),
        (np.array([1, 10]), "from 0 to 9, got values from 1 to 10"),
    ],
)
def test_encode_labels_rejects_wrong_input(labels, message):
    with pytest.raises(ValueError, match=message):
        encode_labels(labels)


def test_split_validation_holds_out_the_last_examples():
    x, y = np.arange(10), np.arange(10) * 2
    (x_fit, y_fit), (x_val, y_val) = split_validation(x, y, size=3)
    assert x_fit.tolist() == list(range(7)) and x_val.tolist() == [7, 8, 9] and y_val.tolist() == [14, 16, 18]
    with pytest.raises(ValueError):
        split_validation(x, y, size=10)


def test_a_relative_missing_folder_says_where_it_was_read_and_to_use_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MnistDataError, match=r"'data/mnist' \(read from .*data'; use an absolute path\).*not a folder"):
        load_mnist("data/mnist")
