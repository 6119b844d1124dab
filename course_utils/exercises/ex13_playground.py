"""Exercises of 13 · Playground: how the trained model copes with digits unlike MNIST's."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from course_utils.evaluation import accuracy
from course_utils.exercises.core import Exercise, bind, digit_labels, number_exercise
from course_utils.i18n import N_, _

#: Exercise 1 moves the digits this many pixels DOWN: along the rows, axis 1. A roll without an axis moves
#: the flattened images along their rows, which is a move to the RIGHT (axis 2), so the two wrong answers
#: give the same number and the check names both.
SHIFT = 3


#: What a move to the right gets, whether it came from axis=2 or from no axis at all.
MOVED_RIGHT = N_("those digits moved to the RIGHT, not down. np.roll without axis= moves the flattened images "
                 "along their rows, which is a move to the right, like axis=2. Give the axis of the rows.")

#: What a rounded answer gets: it is near, but an accuracy on 1,000 digits has three exact decimals.
CLOSE = N_("close: give more digits (assign the computed value instead of typing a rounded one).")


def _unknown(name: str) -> str:
    """The message for a number no known mistake explains: no hint, no answer."""
    return _("that is not the expected accuracy, and not a mistake this check knows. Compare your code with the "
             "question; ex.{name}.hint() gives a hint.").format(name=name)


def exercises(model, images: np.ndarray, labels: np.ndarray) -> SimpleNamespace:
    """``images``: prepared test images (N, 28, 28, 1); ``labels``: their integer digits."""
    labels = digit_labels(labels, len(images))
    plain = accuracy(model, images, labels)
    return bind(_q1(model, images, labels, plain), _q2(model, images, labels, plain))


def _q1(model, images: np.ndarray, labels: np.ndarray, plain: float) -> Exercise:
    shifted = accuracy(model, np.roll(images, SHIFT, axis=1), labels)
    sideways = accuracy(model, np.roll(images, SHIFT, axis=2), labels)
    no_axis = accuracy(model, np.roll(images, SHIFT), labels)  # almost always the same as sideways
    return number_exercise(
        "q1",
        _("Compute: the accuracy on these test digits moved {pixels} pixels DOWN (np.roll along the axis of the "
          "rows)").format(pixels=SHIFT),
        shifted,
        correct=_("pooling and shared filters make the convnet tolerant to small shifts, though not immune."),
        hint=_("the axes of images are (image, row, column, channel), and np.roll moves along the axis you give "
               "it. Which axis counts the rows, from the top of a digit down?"),
        solution=(f"moved = np.roll(images, {SHIFT}, axis=1)  # axis 1: the rows\n"
                  "shifted_accuracy = (model.predict(moved, verbose=0).argmax(axis=1) == labels).mean()"),
        mistakes=[
            (plain, _("that is the accuracy on the unmoved digits; move them first with np.roll.")),
            (sideways, _(MOVED_RIGHT)),
            (no_axis, _(MOVED_RIGHT)),
            (100 * shifted, _("that is a percentage; give the accuracy as a fraction.")),
            (lambda value: abs(value - shifted) < 0.01, _(CLOSE)),
        ],
        tolerance=1e-6,
        expected=_unknown("q1"),
    )


def _q2(model, images: np.ndarray, labels: np.ndarray, plain: float) -> Exercise:
    inverted = accuracy(model, 1 - images, labels)
    return number_exercise(
        "q2", _("Compute: the accuracy on the same test digits with ink and paper swapped (1 - images)"),
        inverted,
        correct=_("the model only ever saw ink as high values on a blank 0 background: swapping them ruins it. "
                  "That is why a photo of dark ink on light paper is inverted before the model sees it."),
        hint=_("the prepared images are in [0, 1], so 1 - images swaps ink and background."),
        solution=("inverted_images = 1 - images\n"
                  "inverted_accuracy = (model.predict(inverted_images, verbose=0).argmax(axis=1) "
                  "== labels).mean()"),
        mistakes=[
            (plain, _("that is the accuracy on the unchanged digits; invert them first with 1 - images.")),
            (100 * inverted, _("that is a percentage; give the accuracy as a fraction.")),
            (lambda value: abs(value - inverted) < 0.01, _(CLOSE)),
        ],
        tolerance=1e-6,
        expected=_unknown("q2"),
    )
