"""Exercises of 02 · Reshaping and encoding: the shape colour photos need, the memory the prepared images
take, and reading the digits back from one-hot labels."""

from __future__ import annotations

import operator
from types import SimpleNamespace
from typing import Any

import numpy as np

from course_utils.exercises.core import Exercise, as_array, bind, mnist, not_an_array, number_exercise
from course_utils.i18n import _

#: Exercise 1: 500 colour photos, 32 pixels high and 32 wide, as Conv2D reads them (channels last).
PHOTO_SHAPE = (500, 32, 32, 3)
PREPARED_BYTES = 60000 * 28 * 28 * 1 * 4


def as_shape(answer: Any) -> tuple | None:
    """``answer`` as a tuple of ints, without a leading None, when it is a sequence of whole numbers (Python,
    NumPy or a TensorShape's); else None."""
    if isinstance(answer, (str, bytes)):
        return None
    try:
        shape = tuple(None if d is None else operator.index(d) for d in answer)
    except TypeError:  # not a sequence, or a dimension that is not a whole number
        return None
    return shape[1:] if shape and shape[0] is None else shape  # Keras writes the batch axis as None


def _diagnose_photo_shape(answer: Any) -> str | None:
    shape = as_shape(answer)
    if shape is None:
        return _("the answer should be a shape, a tuple of whole numbers like (60000, 28, 28, 1).")
    if shape == PHOTO_SHAPE:
        return None
    if sorted(shape) == sorted(PHOTO_SHAPE):
        return _("the numbers are right but in the wrong order. Keras puts the images first and the channels "
                 "last: (images, height, width, channels).")
    if shape == (500, 32, 32, 1):
        return _("a colour photo has more than one channel: one for each of red, green and blue.")
    if shape == (500, 32, 32):
        return _("the channel axis is missing: Conv2D reads each image as height x width x channels.")
    if shape == (32, 32, 3):
        return _("that is the shape of one photo; the array holds all 500, and the first axis counts them.")
    if len(shape) == 4 and shape[1:3] == (28, 28):
        return _("these photos are 32 pixels high and 32 wide, not 28.")
    if len(shape) < 4:
        return _("Conv2D needs four axes: the images, their height, their width and their channels. "
                 "Height and width stay two separate axes.")
    return ""


def _diagnose_decoded_labels(answer: Any) -> str | None:
    if isinstance(answer, (int, np.integer)):
        return _("that is one number for the whole array: without an axis, argmax looks at all the values as one "
                 "long list. You want one digit per row.")
    digits = as_array(answer)
    if digits is None:
        return not_an_array(answer)
    (_x_train, y_train), (_x_test, y_test) = mnist()
    if digits.shape == (10,):
        return _("you have 10 values, one per column: that is the wrong axis. axis=0 runs down the 60,000 rows; "
                 "you want one answer for each row, across its ten columns.")
    if digits.shape == (60000, 10):
        return _("these are still one-hot rows; turn each row into the one digit it stands for.")
    if digits.shape == y_test.shape:
        return _("these are the test labels; decode the training labels y_train.")
    if digits.shape != y_train.shape:
        return _("the shape is {shape}; one digit per training image has shape (60000,).").format(shape=digits.shape)
    if np.array_equal(digits, y_train):
        return None
    if (digits == 1).all():
        return _("every value is 1: that is the largest value of each row. You want where the 1 is, not the 1 itself.")
    if np.array_equal(np.sort(digits), np.sort(y_train)):
        return _("these are the right digits in another order; keep the rows in their order.")
    return ""


def exercises() -> SimpleNamespace:
    return bind(_q1(), _q2(), _q3())


def _q1() -> Exercise:
    return Exercise(
        "q1", _("Predict: the shape Conv2D needs for 500 colour photos, each 32 pixels high and 32 wide"),
        _diagnose_photo_shape,
        correct=_("500 images first, then 32 rows, 32 columns and 3 channels (red, green, blue): "
                  "the same order as MNIST's (60000, 28, 28, 1)."),
        expected=_("that is not the shape Conv2D needs. Write it in the order of MNIST's shape above: "
                   "images, height, width, channels."),
        hint_text=_("MNIST's shape is (60000, 28, 28, 1): images, height, width, channels. "
                    "How many channels has a colour photo?"),
        solution_code="photo_shape = (500, 32, 32, 3)",
    )


def _q2() -> Exercise:
    return number_exercise(
        "q2", _("Predict: how many bytes of memory does the prepared training set (60000, 28, 28, 1) float32 "
                "take?"),
        PREPARED_BYTES,
        correct=_("60,000 x 28 x 28 x 1 values of 4 bytes each (float32 is 32 bits): 188,160,000 bytes, "
                  "about 180 MiB."),
        hint=_("count the values (multiply the shape) and multiply by the bytes per value: float32 has 32 bits."),
        solution="prepared_bytes = 60000 * 28 * 28 * 1 * 4  # check: x_train.nbytes",
        mistakes=[
            (PREPARED_BYTES * 2,
             _("that is float64 (8 bytes per value), NumPy's default; we convert to float32, 4 bytes.")),
            (PREPARED_BYTES // 4,
             _("that counts one byte per value, like the raw uint8 images; float32 takes 4 bytes.")),
            (PREPARED_BYTES * 8, _("that counts bits; a byte is 8 bits.")),
            (lambda v: 150 < v < 200, _("that looks like megabytes; give the number of bytes.")),
            (lambda v: abs(v - PREPARED_BYTES) < 0.01 * PREPARED_BYTES,
             _("close, but give the exact number: a count of bytes is a whole number.")),
        ],
        expected=_("that is not the number of bytes. Count the values in the array first, "
                   "then the bytes each one takes; ex.q2.hint() gives a nudge."),
    )


def _q3() -> Exercise:
    return Exercise(
        "q3", _("digits: the digit labels read back from the one-hot y_train, shape (60000,)"),
        _diagnose_decoded_labels,
        correct=_("the position of the 1 in each row is its digit: argmax along axis 1 finds it. "
                  "Notebook 06 reads the network's guesses the same way."),
        expected=_("digits should hold one whole number per row of y_train: the column where its 1 is, "
                   "shape (60000,)."),
        hint_text=_("each row has its 1 in the column of its digit. np.argmax gives the position of the "
                    "largest value; along which axis?"),
        solution_code="digits = y_train.argmax(axis=1)",
    )
