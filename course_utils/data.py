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

from course_utils.i18n import _

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

    folder = _data_folder(data_dir)
    arrays = {}
    for key, name in MNIST_FILES.items():
        expected_md5 = None if checksums is None else checksums[key]
        expected_count = None if counts is None else counts[key]
        arrays[key] = read_idx(_find_file(folder, name), expected_md5=expected_md5, expected_count=expected_count)

    for split in ("train", "test"):
        _check_split(folder, split, arrays[f"{split}_images"], arrays[f"{split}_labels"])
    return (arrays["train_images"], arrays["train_labels"]), (arrays["test_images"], arrays["test_labels"])


def _data_folder(data_dir: str | os.PathLike) -> Path:
    """``data_dir`` as a folder, or an MnistDataError that says what to set instead."""
    folder = Path(data_dir).expanduser()
    if not folder.is_dir():
        # A relative path is read from the kernel's folder (notebooks/), not from where it was set.
        relative = ("" if folder.is_absolute() else _(" (read from {folder}; use an absolute path)").format(
            folder=repr(str(folder.resolve().parent))))
        raise MnistDataError(
            _("{variable} points to {path}{relative}, which is not a folder. Set it to the "
              "folder holding the four MNIST idx files (train-images-idx3-ubyte.gz, ...), or unset it "
              "to let Keras download the data.").format(variable=DATA_DIR_VARIABLE, path=repr(str(folder)),
                                                        relative=relative)
        )
    return folder


def _check_split(folder: Path, split: str, images: np.ndarray, labels: np.ndarray) -> None:
    """The images and labels of one split ("train" or "test") have MNIST's shapes and agree in number."""
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise MnistDataError(
            _("{file} in {folder} holds images of shape {shape}, expected {size}x{size}. Replace it with "
              "the original MNIST file.").format(file=MNIST_FILES[f"{split}_images"], folder=folder,
                                                 shape=images.shape[1:], size=IMAGE_SIZE)
        )
    if labels.ndim != 1:
        raise MnistDataError(
            _("{file} in {folder} is not a 1-dimensional label file. Replace it with the original MNIST "
              "file.").format(file=MNIST_FILES[f"{split}_labels"], folder=folder)
        )
    if len(images) != len(labels):
        message = (_("The train files in {folder} disagree: {images} images but {labels} labels. ")
                   if split == "train" else
                   _("The test files in {folder} disagree: {images} images but {labels} labels. "))
        raise MnistDataError(
            message.format(folder=folder, images=len(images), labels=len(labels))
            + _("Use the image and label files of the same MNIST download.")
        )


def _find_file(folder: Path, name: str) -> Path:
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    raise MnistDataError(
        _("{name}.gz (or {name}) is missing from {folder}. Copy all four MNIST idx files there: {files}.").format(
            name=name, folder=folder, files=", ".join(f"{n}.gz" for n in MNIST_FILES.values()))
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
        found = raw[:4].hex() if len(raw) >= 4 else _("only {count} bytes").format(count=len(raw))
        raise MnistDataError(
            _("{path} is not an MNIST idx file: wrong magic number ({found}); expected "
              "{labels:08x} for labels or {images:08x} for images. Replace it with the original file.").format(
                path=path, found=found, labels=_MAGIC[1], images=_MAGIC[3])
        )
    ndim = raw[3]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise MnistDataError(_("{path} ends inside its header ({count} bytes). Replace it with the original "
                               "file.").format(path=path, count=len(raw)))
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    if expected_count is not None and shape[0] != expected_count:
        raise MnistDataError(
            _("{path} says it holds {count} items; the MNIST file holds {expected}. "
              "Replace it with the original file.").format(path=path, count=shape[0], expected=expected_count)
        )
    expected_size = header_size + int(np.prod(shape))
    if len(raw) != expected_size:
        raise MnistDataError(
            _("{path} has {size} bytes of data but its header {shape} needs {expected}: the file is truncated "
              "or padded. Replace it with the original file.").format(
                path=path, size=len(raw) - header_size, shape=shape, expected=expected_size - header_size)
        )
    if expected_md5 is not None:
        actual_md5 = hashlib.md5(raw).hexdigest()
        if actual_md5 != expected_md5:
            raise MnistDataError(
                _("{path} does not match the published MNIST checksum (MD5 of the uncompressed content "
                  "is {actual}, expected {expected}): the file is damaged or modified. "
                  "Download the original file again.").format(path=path, actual=actual_md5, expected=expected_md5)
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
            _("{path} is not a complete gzip file ({error}): the download was probably cut short. "
              "Download it again, or delete it and put the uncompressed file there instead (a .gz is read "
              "first).").format(path=path, error=error)
        ) from error
    except OSError as error:
        raise MnistDataError(_("{path} cannot be read ({error}). Check the file and its permissions.").format(
            path=path, error=error)) from error


def download_advice() -> str:
    """What to do when Keras cannot download MNIST, in the course's language (also printed by ``make run``
    when a notebook's download fails)."""
    return _(
        "Without network, the course reads MNIST from a folder instead: copy the four MNIST idx files "
        "({files}) into a folder and set the environment variable {variable} to that folder, e.g. export "
        "{variable}=$HOME/mnist before make run (in a notebook: %env {variable}=/path/to/mnist, then restart "
        "the kernel). Behind a proxy, set HTTPS_PROXY instead. See 'Troubleshooting' in the README."
    ).format(files=", ".join(f"{name}.gz" for name in MNIST_FILES.values()), variable=DATA_DIR_VARIABLE)


def __getattr__(name: str):
    """``DOWNLOAD_ADVICE``, the advice as it was a constant: now ``download_advice()``, in the current language."""
    if name == "DOWNLOAD_ADVICE":
        return download_advice()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _load_with_keras() -> MnistArrays:
    import keras

    try:
        return keras.datasets.mnist.load_data()
    except Exception as error:  # Keras raises a bare Exception for URL fetch failures.
        raise MnistDataError(_("Keras could not download MNIST ({error}). {advice}").format(
            error=error, advice=download_advice())) from error


def prepare_images(images: np.ndarray) -> np.ndarray:
    """Turn uint8 images (N, 28, 28) into float32 (N, 28, 28, 1) with values in [0, 1].

    Conv2D layers expect a channel axis: MNIST is grayscale, so there is one channel. Dividing by
    255 (the largest pixel value) maps the pixels to [0, 1].
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(
            _("prepare_images expects the raw uint8 images from load_mnist (values 0-255), got dtype "
              "{dtype}. Were they prepared already? Pass the arrays load_mnist returned.").format(dtype=images.dtype)
        )
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(
            _("prepare_images expects images of shape (N, {size}, {size}), got {shape}. "
              "Pass the image arrays from load_mnist (a single image needs images[None]).").format(
                size=IMAGE_SIZE, shape=images.shape)
        )
    return (images.astype("float32") / 255.0)[..., np.newaxis]


def encode_labels(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """One-hot encode integer labels (N,) into float32 (N, 10) with ``keras.utils.to_categorical``."""
    import keras

    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(
            _("encode_labels expects a 1-D array of digit labels, got shape {shape}. "
              "If it is 2-D with 10 columns, the labels are one-hot already.").format(shape=labels.shape)
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(_("encode_labels expects integer labels 0-{largest}, got dtype {dtype}.").format(
            largest=num_classes - 1, dtype=labels.dtype))
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            _("encode_labels expects labels from 0 to {largest}, got values from {low} to {high}.").format(
                largest=num_classes - 1, low=labels.min(), high=labels.max())
        )
    return keras.utils.to_categorical(labels, num_classes).astype("float32")


def split_validation(
    x: np.ndarray, y: np.ndarray, size: int = VALIDATION_SIZE
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Hold out the last ``size`` training examples for validation: ``(x_fit, y_fit), (x_val, y_val)``.

    Choices (epochs, variants, optimizers) are made on this split; the test set is only reported.
    """
    if not 0 < size < len(x):
        raise ValueError(_("validation size must be between 1 and {largest}, got {size}").format(
            largest=len(x) - 1, size=size))
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
