"""Exercises of 02 · Reshaping and encoding: the test images and labels, and the memory they take."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np

from course_utils.data import prepare_images
from course_utils.exercises.core import Exercise, as_array, bind, mnist, not_an_array, number_exercise


def _diagnose_prepared_test_images(answer: Any) -> str | None:
    images = as_array(answer)
    if images is None:
        return not_an_array(answer)
    (x_train, _), (x_test, _) = mnist()
    if images.shape[:1] == (len(x_train),):
        return "these are the training images; prepare the test images x_test."
    if images.shape == x_test.shape:
        return ("the channel axis is missing: Conv2D expects (height, width, channels), so add it "
                "with [..., np.newaxis] to get shape (10000, 28, 28, 1).")
    if images.shape != x_test.shape + (1,):
        return f"the shape is {images.shape}; expected (10000, 28, 28, 1)."
    largest = float(images.max())
    if math.isclose(largest, 255 / 256, rel_tol=1e-6):
        return "the images were divided by 256; the largest pixel value is 255, so divide by 255 to make it 1.0."
    if largest > 1:
        return "the pixels are not scaled: divide by 255 so that the values lie in [0, 1]."
    if images.dtype != np.float32:
        return (f"the dtype is {images.dtype}, not float32: Keras computes in float32 (and float64 takes "
                "twice the memory); convert with .astype('float32').")
    expected = prepare_images(x_test)
    # Tolerance: x * (1 / 255) may differ from x / 255 in the last bit of a float32.
    if np.allclose(images, expected, rtol=0, atol=1e-6):
        return None
    if np.allclose(np.sort(images.sum(axis=(1, 2, 3))), np.sort(expected.sum(axis=(1, 2, 3))), rtol=0, atol=1e-3):
        return ("these are the test images, but in another order; keep the order of x_test so that "
                "image i still matches label y_test[i].")
    return ""


def _diagnose_encoded_test_labels(answer: Any) -> str | None:
    labels = as_array(answer)
    if labels is None:
        return not_an_array(answer)
    (_, y_train), (_, y_test) = mnist()
    if labels.shape[:1] == (len(y_train),):
        return "these are the training labels; encode the test labels y_test."
    if labels.ndim == 1:
        return ("the labels are not one-hot: each label should become a row of 10 values, all 0 except a "
                "1 in the column of its digit. Use to_categorical(y_test).")
    if labels.shape[:1] != (len(y_test),) or labels.ndim != 2:
        return f"the shape is {labels.shape}; expected (10000, 10)."
    if labels.shape[1] != 10:
        return f"there are {labels.shape[1]} columns; MNIST has 10 classes (digits 0 to 9), so use 10 columns."
    if not (np.isin(labels, (0, 1)).all() and (labels.sum(axis=1) == 1).all()):
        return "the rows are not one-hot: each row should hold a single 1 and nine zeros."
    if not np.array_equal(labels.argmax(axis=1), y_test):
        return "the rows do not match y_test: row i should have its 1 in column y_test[i] (same order)."
    return None


def exercises() -> SimpleNamespace:
    prepared_bytes = 60000 * 28 * 28 * 1 * 4
    return bind(
        Exercise(
            "q1", "x_test_prepared: test images as (10000, 28, 28, 1) float32 in [0, 1]",
            _diagnose_prepared_test_images,
            correct="the images have the channel axis Conv2D needs and pixel values scaled to [0, 1].",
            expected="x_test_prepared should be x_test reshaped to (10000, 28, 28, 1), as float32, divided by 255.",
            hint_text="x_test.reshape((10000, 28, 28, 1)), then .astype('float32') and / 255, as for x_train above.",
            solution_code="x_test_prepared = x_test.reshape((10000, 28, 28, 1)).astype('float32') / 255",
        ),
        number_exercise(
            "q2", "Predict: how many bytes of memory does the prepared training set (60000, 28, 28, 1) float32 take?",
            prepared_bytes,
            correct=("60,000 x 28 x 28 x 1 values of 4 bytes each (float32 is 32 bits): 188,160,000 bytes, "
                     "about 180 MiB."),
            hint="count the values (multiply the shape) and multiply by the bytes per value: float32 has 32 bits.",
            solution="prepared_bytes = 60000 * 28 * 28 * 1 * 4  # check: x_train_prepared.nbytes",
            mistakes=[
                (prepared_bytes * 2,
                 "that is float64 (8 bytes per value), NumPy's default; we convert to float32, 4 bytes."),
                (prepared_bytes // 4,
                 "that counts one byte per value, like the raw uint8 images; float32 takes 4 bytes."),
                (lambda v: 150 < v < 200, "that looks like megabytes; give the number of bytes."),
            ],
        ),
        Exercise(
            "q3", "y_test_encoded: one-hot labels (10000, 10)",
            _diagnose_encoded_test_labels,
            correct="each row is all zeros except a 1 in the column of its digit, matching the 10 softmax outputs.",
            expected=("y_test_encoded should be to_categorical(y_test): "
                      "one row of 10 per test label, shape (10000, 10)."),
            hint_text="to_categorical(y_test) one-hot encodes the labels, as it did for y_train.",
            solution_code="from keras.utils import to_categorical\n\ny_test_encoded = to_categorical(y_test)",
        ),
    )
