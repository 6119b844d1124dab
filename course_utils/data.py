"""Loading and preparing MNIST.

``load_mnist()`` returns exactly what ``keras.datasets.mnist.load_data()`` returns. When the
environment variable ``MNIST_DATA_DIR`` names a folder, the four original idx files are read from
there instead (no network needed), their headers are parsed and their content is verified against
the published checksums. Nothing is written or cached while loading that way.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR_VARIABLE = "MNIST_DATA_DIR"
#: MNIST images are 28x28 pixels; the network reads them with one (grayscale) channel.
IMAGE_SIZE = 28
IMAGE_SHAPE = (IMAGE_SIZE, IMAGE_SIZE, 1)
#: Ten digits, 0-9.
NUM_CLASSES = 10
#: Training images held out for validation: the last 5,000 of the 60,000.
VALIDATION_SIZE = 5000
#: The training images left to fit on after the validation split.
TRAIN_SIZE = 60000 - VALIDATION_SIZE

#: The four idx files of the original distribution (uncompressed names; ``.gz`` is accepted too).
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

#: Published MD5 checksums of the *uncompressed* idx files.
MNIST_MD5 = {
    "train_images": "6bbc9ace898e44ae57da46a324031adb",
    "train_labels": "a25bea736e30d166cdddb491f175f624",
    "test_images": "2646ac647ad5339dbf082846283269ea",
    "test_labels": "27ae3e4e09519cfbb04c329615203637",
}

#: How many items each file of the real data set holds.
MNIST_COUNTS = {"train_images": 60000, "train_labels": 60000, "test_images": 10000, "test_labels": 10000}

# idx magic numbers: two zero bytes, the type code 0x08 (unsigned byte), the number of dimensions.
_MAGIC = {1: 0x00000801, 3: 0x00000803}

MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class MnistDataError(RuntimeError):
    """The MNIST files are missing, damaged or cannot be downloaded. The message says what to do."""


def load_mnist(
    data_dir: str | os.PathLike | None = None,
    *,
    checksums: dict[str, str] | None = MNIST_MD5,
    counts: dict[str, int] | None = MNIST_COUNTS,
) -> MnistArrays:
    """Load MNIST as ``((x_train, y_train), (x_test, y_test))``, uint8, like Keras does.

    Args:
        data_dir: folder with the four idx files. Defaults to ``$MNIST_DATA_DIR``; when neither is
            given, ``keras.datasets.mnist.load_data()`` is used (Keras cache, else download).
        checksums: expected MD5 of each uncompressed file, keyed like ``MNIST_FILES``;
            ``None`` skips the check (for small test files only).
        counts: expected number of items in each file; ``None`` skips the check.

    Raises:
        MnistDataError: with the file, what was expected and what to do.
    """
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_VARIABLE) or None
    if data_dir is None:
        return _load_with_keras()

    folder = Path(data_dir).expanduser()
    if not folder.is_dir():
        # A relative path is read from the kernel's folder (notebooks/), not from where it was set.
        relative = ("" if folder.is_absolute()
                    else f" (read from {str(folder.resolve().parent)!r}; use an absolute path)")
        raise MnistDataError(
            f"{DATA_DIR_VARIABLE} points to {str(folder)!r}{relative}, which is not a folder. Set it to the "
            "folder holding the four MNIST idx files (train-images-idx3-ubyte.gz, ...), or unset it "
            "to let Keras download the data."
        )
    arrays = {}
    for key, name in MNIST_FILES.items():
        expected_md5 = None if checksums is None else checksums[key]
        expected_count = None if counts is None else counts[key]
        arrays[key] = read_idx(_find_file(folder, name), expected_md5=expected_md5, expected_count=expected_count)

    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
            raise MnistDataError(
                f"{MNIST_FILES[f'{split}_images']} in {folder} holds images of shape {images.shape[1:]}, "
                f"expected {IMAGE_SIZE}x{IMAGE_SIZE}. Replace it with the original MNIST file."
            )
        if labels.ndim != 1:
            raise MnistDataError(
                f"{MNIST_FILES[f'{split}_labels']} in {folder} is not a 1-dimensional label file. "
                "Replace it with the original MNIST file."
            )
        if len(images) != len(labels):
            raise MnistDataError(
                f"The {split} files in {folder} disagree: {len(images)} images but {len(labels)} labels. "
                "Use the image and label files of the same MNIST download."
            )
    return (arrays["train_images"], arrays["train_labels"]), (arrays["test_images"], arrays["test_labels"])


def _find_file(folder: Path, name: str) -> Path:
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    raise MnistDataError(
        f"{name}.gz (or {name}) is missing from {folder}. Copy all four MNIST idx files there: "
        + ", ".join(f"{n}.gz" for n in MNIST_FILES.values())
        + "."
    )


def read_idx(path: str | os.PathLike, *, expected_md5: str | None = None,
             expected_count: int | None = None) -> np.ndarray:
    """Read one idx file (gzip-compressed or not) into a uint8 array, checking it on the way.

    The idx format is a 4-byte magic number (0, 0, type 0x08 = unsigned byte, number of
    dimensions), one big-endian uint32 per dimension, then the values.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[:3] != b"\x00\x00\x08" or raw[3] not in (1, 3):
        found = raw[:4].hex() if len(raw) >= 4 else f"only {len(raw)} bytes"
        raise MnistDataError(
            f"{path} is not an MNIST idx file: wrong magic number ({found}); expected "
            f"{_MAGIC[1]:08x} for labels or {_MAGIC[3]:08x} for images. Replace it with the original file."
        )
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise MnistDataError(f"{path} ends inside its header ({len(raw)} bytes). Replace it with the original file.")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    if expected_count is not None and shape[0] != expected_count:
        raise MnistDataError(
            f"{path} says it holds {shape[0]} items; the MNIST file holds {expected_count}. "
            "Replace it with the original file."
        )
    expected_size = header_size + int(np.prod(shape))
    if len(raw) != expected_size:
        raise MnistDataError(
            f"{path} has {len(raw) - header_size} bytes of data but its header {shape} needs "
            f"{expected_size - header_size}: the file is truncated or padded. Replace it with the original file."
        )
    if expected_md5 is not None:
        actual_md5 = hashlib.md5(raw).hexdigest()
        if actual_md5 != expected_md5:
            raise MnistDataError(
                f"{path} does not match the published MNIST checksum (MD5 of the uncompressed content "
                f"is {actual_md5}, expected {expected_md5}): the file is damaged or modified. "
                "Download the original file again."
            )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape).copy()


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise MnistDataError(
            f"{path} is not a complete gzip file ({error}): the download was probably cut short. "
            "Download it again, or delete it and put the uncompressed file there instead (a .gz is read first)."
        ) from error
    except OSError as error:
        raise MnistDataError(f"{path} cannot be read ({error}). Check the file and its permissions.") from error


#: What to do when Keras cannot download MNIST (also printed by ``make run`` when a notebook's download fails).
DOWNLOAD_ADVICE = (
    f"Without network, the course reads MNIST from a folder instead: copy the four MNIST idx files "
    f"({', '.join(f'{name}.gz' for name in MNIST_FILES.values())}) into a folder and set the environment "
    f"variable {DATA_DIR_VARIABLE} to that folder, e.g. export {DATA_DIR_VARIABLE}=$HOME/mnist before make run "
    f"(in a notebook: %env {DATA_DIR_VARIABLE}=/path/to/mnist, then restart the kernel). Behind a proxy, set "
    "HTTPS_PROXY instead. See 'Troubleshooting' in the README."
)


def _load_with_keras() -> MnistArrays:
    import keras

    try:
        return keras.datasets.mnist.load_data()
    except Exception as error:  # Keras raises a bare Exception for URL fetch failures.
        raise MnistDataError(f"Keras could not download MNIST ({error}). {DOWNLOAD_ADVICE}") from error


def prepare_images(images: np.ndarray) -> np.ndarray:
    """Turn uint8 images (N, 28, 28) into float32 (N, 28, 28, 1) with values in [0, 1].

    Conv2D layers expect a channel axis: MNIST is grayscale, so there is one channel. Dividing by
    255 (the largest pixel value) maps the pixels to [0, 1].
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(
            f"prepare_images expects the raw uint8 images from load_mnist (values 0-255), got dtype "
            f"{images.dtype}. Were they prepared already? Pass the arrays load_mnist returned."
        )
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(
            f"prepare_images expects images of shape (N, {IMAGE_SIZE}, {IMAGE_SIZE}), got {images.shape}. "
            "Pass the image arrays from load_mnist (a single image needs images[None])."
        )
    return (images.astype("float32") / 255.0)[..., np.newaxis]


def encode_labels(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """One-hot encode integer labels (N,) into float32 (N, 10) with ``keras.utils.to_categorical``."""
    import keras

    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(
            f"encode_labels expects a 1-D array of digit labels, got shape {labels.shape}. "
            "If it is 2-D with 10 columns, the labels are one-hot already."
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"encode_labels expects integer labels 0-{num_classes - 1}, got dtype {labels.dtype}.")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"encode_labels expects labels from 0 to {num_classes - 1}, "
            f"got values from {labels.min()} to {labels.max()}."
        )
    return keras.utils.to_categorical(labels, num_classes).astype("float32")


def split_validation(
    x: np.ndarray, y: np.ndarray, size: int = VALIDATION_SIZE
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Hold out the last ``size`` training examples for validation: ``(x_fit, y_fit), (x_val, y_val)``.

    Choices (epochs, variants, optimizers) are made on this split; the test set is only reported.
    """
    if not 0 < size < len(x):
        raise ValueError(f"validation size must be between 1 and {len(x) - 1}, got {size}")
    return (x[:-size], y[:-size]), (x[-size:], y[-size:])


@dataclass(frozen=True)
class PreparedData:
    """MNIST ready for the network: images (N, 28, 28, 1) in [0, 1], one-hot labels (N, 10)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels_test: np.ndarray  # the test digits as integers, for confusion matrices and galleries


@functools.lru_cache(maxsize=1)
def load_prepared() -> PreparedData:
    """Load MNIST, prepare it (notebook 02) and hold out the last 5,000 training images for validation."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    (x_fit, y_fit), (x_val, y_val) = split_validation(prepare_images(x_train), encode_labels(y_train))
    return PreparedData(x_fit, y_fit, x_val, y_val, prepare_images(x_test), encode_labels(y_test), y_test)
