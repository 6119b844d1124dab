"""Exercises of 01 · Loading MNIST: a share of the pixels, selecting images with a boolean mask."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from course_utils.exercises.core import Exercise, as_array, bind, mnist, not_an_array, number_exercise


def _diagnose_first_fives(answer: Any) -> str | None:
    images = as_array(answer)
    if images is None:
        return not_an_array(answer)
    (x_train, y_train), (x_test, y_test) = mnist()
    expected = x_train[y_train == 5][:5]
    if images.ndim == 4 or np.issubdtype(images.dtype, np.floating):
        return ("these look like prepared images (float, or with a channel axis); take the raw uint8 "
                "images x_train from load_data.")
    if images.shape != expected.shape:
        if images.ndim == 3 and images.shape[1:] == (28, 28):
            return f"you have {len(images)} images; keep only the first five with [:5]."
        return f"the shape is {images.shape}; five 28x28 images have shape (5, 28, 28)."
    if np.array_equal(images, expected):
        return None
    if np.array_equal(images, x_train[:5]):
        return "those are the first five images, not the first five fives; select with y_train == 5."
    if np.array_equal(images, x_test[y_test == 5][:5]):
        return "those are fives from the test set; the question asks for the training set (x_train, y_train)."
    return ""


def exercises() -> SimpleNamespace:
    (x_train, _), (x_test, _) = mnist()
    blank = float((x_train == 0).mean())
    return bind(
        number_exercise(
            "q1", "What fraction of all the pixels in the training images are exactly 0 (blank paper)?", blank,
            correct="most of each image is empty background: only the strokes carry ink.",
            hint=("x_train == 0 is True for each blank pixel; "
                  "the mean of an array of True/False is the fraction of Trues."),
            solution="blank_fraction = (x_train == 0).mean()",
            mistakes=[
                (1 - blank, "that is the fraction of pixels with ink (not 0); the question asks for the blank ones."),
                (100 * blank, "that is a percentage; give a fraction between 0 and 1."),
                (float((x_test == 0).mean()), "that is the test set; use the training images x_train."),
                (float((x_train == 255).mean()),
                 "that counts the pixels at 255 (full ink); count the pixels equal to 0."),
            ],
            tolerance=1e-6,
            expected="the fraction of the values in x_train that equal 0: a number between 0 and 1.",
        ),
        Exercise(
            "q2", "first_fives: the first 5 training images whose label is 5, shape (5, 28, 28)",
            _diagnose_first_fives,
            correct=("the boolean mask y_train == 5 keeps the fives in their original order, "
                     "and [:5] takes the first five."),
            expected="first_fives should be x_train[y_train == 5][:5]: raw uint8 images, shape (5, 28, 28).",
            hint_text="index x_train with the mask y_train == 5, then take [:5].",
            solution_code="first_fives = x_train[y_train == 5][:5]",
        ),
    )
