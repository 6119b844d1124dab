"""Exercises of 01 · Loading MNIST: a share of the pixels, selecting images with a boolean mask, and what
a byte does past 255."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from course_utils.exercises.core import Exercise, as_array, bind, mnist, not_an_array, number_exercise
from course_utils.i18n import _, ngettext

#: What exercise 3 adds: 200 + 100 does not fit in a byte (uint8 holds 0 to 255), so it wraps to 300 - 256.
WRAPPED = (200 + 100) % 256
#: How far a rounded share of blank pixels may be from the exact one: 0.81 for 0.8088 is right. The test
#: set's share, 0.8072, is 0.0016 away, so it is still recognised as the test set.
BLANK_TOLERANCE = 0.0013


def _diagnose_first_fives(answer: Any) -> str | None:
    images = as_array(answer)
    if images is None:
        return not_an_array(answer)
    (x_train, y_train), (x_test, y_test) = mnist()
    fives = x_train[y_train == 5]
    if images.ndim == 4 or np.issubdtype(images.dtype, np.floating):
        return _("these look like prepared images (float, or with a channel axis); take the raw uint8 "
                 "images x_train from load_data.")
    if images.ndim == 3 and images.shape[1:] == (28, 28) and len(images) != 5:
        if np.array_equal(images, x_train[:5][y_train[:5] == 5]):
            return _("those are the fives among the first five images; the question asks for the first five "
                     "images that are fives, wherever they are in x_train.")
        count = len(images)
        return ngettext("you have {count} image; keep only the first five.",
                        "you have {count} images; keep only the first five.", count).format(count=count)
    if images.shape != (5, 28, 28):
        return _("the shape is {shape}; five 28x28 images have shape (5, 28, 28).").format(shape=images.shape)
    if np.array_equal(images, fives[:5]):
        return None
    if np.array_equal(images, x_train[:5]):
        return _("those are the first five images, not the first five fives; select with y_train == 5.")
    if np.array_equal(images, x_test[y_test == 5][:5]):
        return _("those are fives from the test set; the question asks for the training set (x_train, y_train).")
    if any(np.array_equal(images, fives[start:start + 5]) for start in range(1, 6)):
        return _("these are fives, but you skipped the first one or more. Python counts positions from 0, "
                 "so the first five are at positions 0 to 4.")
    return ""


def exercises() -> SimpleNamespace:
    return bind(_q1(), _q2(), _q3())


def _q1() -> Exercise:
    (x_train, _y_train), (x_test, _y_test) = mnist()
    blank = float((x_train == 0).mean())
    return number_exercise(
        "q1", _("What fraction of all the pixels in the training images are exactly 0 (no ink)?"), blank,
        # A share is a placeholder ({share:.0%} gives "81%"): a bare "% o" in a message reads as a printf
        # placeholder to Babel's checker (pybabel compile), which the Chinese could not match.
        correct=_("about {share:.0%} of the pixels are blank: most of each image is empty background, "
                  "and only the strokes carry ink.").format(share=0.81),
        hint=_("x_train == 0 is True for each blank pixel; "
               "the mean of an array of True/False is the fraction of Trues."),
        solution="blank_fraction = (x_train == 0).mean()",
        mistakes=[
            (1 - blank, _("that is the fraction of pixels with ink (not 0); the question asks for the blank "
                          "ones.")),
            (lambda v: 50 < v <= 100, _("that is a percentage; give a fraction between 0 and 1.")),
            (float((x_test == 0).mean()), _("that is the test set; use the training images x_train.")),
            (float((x_train == 255).mean()),
             _("that counts the pixels at 255 (full ink); count the pixels equal to 0.")),
            (lambda v: abs(v - blank) < 0.015, _("close, but give more digits (three after the point).")),
            (lambda v: v > 1 or v < 0, _("a fraction lies between 0 and 1.")),
        ],
        tolerance=BLANK_TOLERANCE,
        expected=_("that is not the share of blank pixels. Compute it from x_train, "
                   "the training images; ex.q1.hint() gives a nudge."),
    )


def _q2() -> Exercise:
    return Exercise(
        "q2", _("first_fives: the first 5 training images whose label is 5, shape (5, 28, 28)"),
        _diagnose_first_fives,
        correct=_("the boolean mask y_train == 5 keeps the fives in their original order, "
                  "and the first five of them are the answer."),
        expected=_("first_fives should hold the first five images of x_train whose label is 5: "
                   "raw uint8 images, shape (5, 28, 28)."),
        hint_text=_("y_train == 5 is True at the position of each 5. Index x_train with it, "
                    "then keep the first five images."),
        solution_code="first_fives = x_train[y_train == 5][:5]",
    )


def _q3() -> Exercise:
    return number_exercise(
        "q3", _("Predict: the last value of (pixels + 100), where pixels = np.array([0, 100, 200], "
                "dtype=np.uint8)"),
        WRAPPED,
        correct=_("a uint8 holds only 0 to 255, so 300 wraps around to 300 - 256 = 44, with no error. "
                  "That is why notebook 02 converts the pixels to float32 before it computes with them."),
        hint=_("a uint8 is one byte: it has only the values 0 to 255. What happens to a sum that goes past 255?"),
        solution="predicted_last = int((pixels + 100)[2])  # 300 does not fit in a byte: 300 - 256 = 44",
        mistakes=[
            (300, _("that is what a calculator gives, but the pixels are uint8: they hold only 0 to 255.")),
            (255, _("NumPy does not stop at the largest byte, 255; a uint8 sum that goes past it wraps around.")),
            (0, _("it does not drop to 0 either; count on past 255 the way a clock counts on past 12.")),
            (45, _("off by one: after 255 a byte goes on to 0, not to 1.")),
            (100, _("that is the first value of the sum; the question asks for the last one, 200 + 100.")),
        ],
        expected=_("that is not the value NumPy gives. Run the line to see it, then work out why; "
                   "ex.q3.hint() gives a nudge."),
    )
