"""Exercises of 06 · Evaluating: accuracy per digit, how sure the model is when it is wrong."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from course_utils.data import NUM_CLASSES
from course_utils.evaluation import confusion_matrix
from course_utils.exercises.core import Exercise, as_array, bind, digit_labels, not_an_array, number_exercise
from course_utils.i18n import _


def _diagnose_per_digit(expected: np.ndarray, precision: np.ndarray, correct_counts: np.ndarray):
    def diagnose(answer: Any) -> str | None:
        values = as_array(answer)
        if values is None:
            return not_an_array(answer)
        if values.shape != (NUM_CLASSES,):
            return _("the shape is {shape}; give one value per digit, shape (10,).").format(shape=values.shape)
        if np.allclose(values, expected, atol=1e-6):
            return None
        if np.allclose(values, 100 * expected, atol=1e-4):
            return _("those are percentages; give fractions between 0 and 1.")
        if np.allclose(values, precision, atol=1e-6):
            return _("you divided by the columns (how often each digit was PREDICTED); divide the diagonal by the "
                     "rows, how many test images of each TRUE digit there are.")
        if np.allclose(values, correct_counts):
            return _("those are counts of correct answers; divide each by the number of test images of that digit.")
        return ""
    return diagnose


def exercises(probabilities: np.ndarray, true_labels: np.ndarray) -> SimpleNamespace:
    """``probabilities``: model.predict on the test images (N, 10); ``true_labels``: the integer test labels."""
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] != NUM_CLASSES:
        raise ValueError(_("probabilities should have shape (N, {classes}), one row per test image, "
                           "got {shape}: pass model.predict(x_test).").format(classes=NUM_CLASSES,
                                                                              shape=probabilities.shape))
    true_labels = digit_labels(true_labels, len(probabilities))
    return bind(_q1(probabilities, true_labels), _q2(probabilities, true_labels))


def _q1(probabilities: np.ndarray, true_labels: np.ndarray) -> Exercise:
    matrix = confusion_matrix(true_labels, probabilities.argmax(axis=1))
    per_digit = matrix.diagonal() / matrix.sum(axis=1)
    precision = matrix.diagonal() / np.maximum(matrix.sum(axis=0), 1)
    return Exercise(
        "q1", _("per_digit_accuracy: for each true digit 0-9, the fraction of its test images classified right"),
        _diagnose_per_digit(per_digit, precision, matrix.diagonal()),
        correct=_("each row of the confusion matrix holds one true digit: its diagonal count over the row's "
                  "total."),
        expected=_("one fraction per digit, between 0 and 1: of the test images of each true digit, the share "
                   "the network classified right."),
        hint_text=_("matrix.diagonal() counts the right answers per digit; "
                    "matrix.sum(axis=1) counts the images per true digit."),
        solution_code="per_digit_accuracy = matrix.diagonal() / matrix.sum(axis=1)",
    )


def _q2(probabilities: np.ndarray, true_labels: np.ndarray) -> Exercise:
    predicted = probabilities.argmax(axis=1)
    wrong = predicted != true_labels
    confidence = probabilities.max(axis=1)
    wrong_confidence = float(confidence[wrong].mean()) if wrong.any() else 0.0
    return number_exercise(
        "q2", _("Compute: the model's mean confidence (its largest probability) on the digits it gets wrong"),
        wrong_confidence,
        correct=_("even when wrong the model is often quite sure: high confidence is not proof of a right "
                  "answer."),
        hint=_("probabilities.max(axis=1) is the confidence of each prediction; "
               "keep the rows where the prediction is wrong."),
        solution=("wrong = probabilities.argmax(axis=1) != labels_test\n"
                  "wrong_confidence = probabilities.max(axis=1)[wrong].mean()"),
        mistakes=[
            (float(confidence.mean()), _("that is the mean over all test digits; keep only the misclassified "
                                         "ones.")),
            (float(probabilities[wrong, true_labels[wrong]].mean()) if wrong.any() else -1.0,
             _("that is the probability given to the TRUE digit; the confidence is the largest probability "
               "(max).")),
            (float(confidence[~wrong].mean()),
             _("that is the mean over the digits it gets right; keep the wrong ones.")),
            (lambda value: abs(value / 100 - wrong_confidence) <= 0.0005,
             _("that is a percentage; give the mean confidence as a fraction between 0 and 1.")),
            (lambda value: abs(value - wrong_confidence) < 0.01,
             _("close, but not exact: give more digits, or assign the value your code computes.")),
        ],
        tolerance=0.0005,
        expected=_("that is not the mean confidence (the largest probability) over the digits the network "
                   "gets wrong."),
    )
