"""The core of the exercises: the ``Exercise`` type and the helpers its checkers share.

A notebook binds its exercises once and checks each answer in its own cell::

    from course_utils.exercises import ex02_preparing
    ex = ex02_preparing.exercises()
    x_test_prepared = ...          # the student replaces ... with an answer
    ex.q1.check(x_test_prepared)   # prints "Correct: ..." or "Not quite: ..." with what to fix

``check``, ``hint`` and ``solution`` print one short message and return None, so a cell shows only
that text. The messages never contain numbers that depend on training, so a notebook's output is
the same on every run. Checkers read public Keras and NumPy APIs only.

The messages speak the notebook's language (``setup_course("zh")``: Chinese; see ``course_utils.i18n``).
A lesson module wraps each of its texts in ``_()`` inside the functions its ``exercises()`` calls (one
``_q1()``, ``_q2()``, ... per question), and a notebook calls ``exercises()`` after ``setup_course``, so
they are looked up in the language chosen there; the frames ("Correct: ...", "Not quite: ...", "Hint: ...")
and the diagnoses' messages are looked up when they are printed. The code ``solution()`` prints is Python,
the same in both languages, and is never translated.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from course_utils.data import NUM_CLASSES, load_mnist
from course_utils.i18n import _

#: The name notebooks give the namespace a factory returns; messages refer to it (``ex.q1.hint()``).
NOTEBOOK_VARIABLE = "ex"

#: A diagnosis: None when the answer is right, a message naming the mistake, or "" for "no mistake
#: recognised", which makes ``check`` explain what was expected instead.
Diagnose = Callable[[Any], "str | None"]


@dataclass
class Exercise:
    """One question: ``check(answer)``, ``hint()`` and ``solution()`` each print one message."""

    name: str  # "q1"
    question: str
    diagnose: Diagnose
    correct: str  # why the right answer is right, one sentence
    expected: str  # what a right answer looks like, printed when no specific mistake is recognised
    hint_text: str
    solution_code: str

    def check(self, answer: Any) -> None:
        """Print whether ``answer`` is right and, if not, what to change."""
        print(self.feedback(answer))

    def feedback(self, answer: Any) -> str:
        """The message ``check`` prints: "Correct: ...", "Not quite: ..." or "Not answered yet: ..."."""
        if answer is Ellipsis:
            return _("Not answered yet: replace ... with your answer, then run this cell again. "
                     "{variable}.{name}.hint() gives a hint.").format(variable=NOTEBOOK_VARIABLE, name=self.name)
        try:
            mistake = self.diagnose(answer)
        except Exception:  # a checker must never crash a student's cell
            mistake = _("this answer (a {kind}) could not be checked. {expected}").format(
                kind=type(answer).__name__, expected=self.expected)
        if mistake is None:
            return _("Correct: {message}").format(message=self.correct)
        return _("Not quite: {message}").format(message=mistake or self.expected)

    def hint(self) -> None:
        """Print a hint."""
        print(_("Hint: {hint}").format(hint=self.hint_text))

    def solution(self) -> None:
        """Print the code of one correct answer."""
        print(_("Solution:\n{code}").format(code=self.solution_code))

    def __repr__(self) -> str:
        return f"{self.name}: {self.question}"


def bind(*questions: Exercise) -> SimpleNamespace:
    """The namespace a notebook calls ``ex``: ``ex.q1``, ``ex.q2``, ..."""
    return SimpleNamespace(**{question.name: question for question in questions})


# --- Helpers shared by the checkers ----------------------------------------------------------------


def as_number(answer: Any) -> float | None:
    """``answer`` as a float when it is one real number (int, float, NumPy or tensor scalar), else None."""
    if isinstance(answer, (str, bytes, bool, np.bool_)):
        return None
    try:
        value = np.asarray(answer)
    except Exception:
        return None
    if value.ndim != 0 or value.dtype == bool or not np.issubdtype(value.dtype, np.number):
        return None
    return float(value)


def not_a_number(answer: Any) -> str:
    if isinstance(answer, str):
        return _("this is text (it is in quotes); write the number itself, without quotes.")
    return _("the answer should be a single number, not a {kind}.").format(kind=type(answer).__name__)


def close(value: float, target: float, tolerance: float) -> bool:
    return math.isclose(value, target, rel_tol=1e-6, abs_tol=tolerance)


def near(target: float, relative: float) -> Callable[[float], bool]:
    """A test for a mistake: within ``relative`` of ``target`` (a rounded figure still counts)."""
    return lambda value: math.isclose(value, target, rel_tol=relative)


#: A known mistake: a wrong value (or a test on the value) and what to say about it.
Mistake = tuple["float | Callable[[float], bool]", str]


def number_diagnosis(expected: float, mistakes: Sequence[Mistake] = (), tolerance: float = 1e-9) -> Diagnose:
    """A diagnosis for a numeric answer: right within ``tolerance``, else the first matching mistake."""

    def diagnose(answer: Any) -> str | None:
        value = as_number(answer)
        if value is None:
            return not_a_number(answer)
        if close(value, expected, tolerance):
            return None
        for wrong, message in mistakes:
            if wrong(value) if callable(wrong) else close(value, wrong, tolerance):
                return message
        return ""

    diagnose.mistakes = tuple(mistakes)  # the messages it can give, for tests/test_i18n.py
    return diagnose


def as_array(answer: Any) -> np.ndarray | None:
    """``answer`` as a NumPy array when it is an array, list or tuple of numbers, else None."""
    if not isinstance(answer, (np.ndarray, list, tuple)):
        return None
    try:
        array = np.asarray(answer)
    except ValueError:  # a ragged list
        return None
    return array if np.issubdtype(array.dtype, np.number) else None


def not_an_array(answer: Any) -> str:
    return _("the answer should be a NumPy array of numbers, not a {kind}.").format(kind=type(answer).__name__)


def digit_labels(labels: Any, count: int) -> np.ndarray:
    """``labels`` as an array of ``count`` integer digits 0-9, or a ValueError that says what to pass."""
    labels = np.asarray(labels)
    advice = _("pass the digit labels (labels_test), not the one-hot y_test.")
    if labels.ndim == 2 and labels.shape[1] == NUM_CLASSES:
        raise ValueError(_("these labels are one-hot rows, shape {shape}: {advice}").format(
            shape=labels.shape, advice=advice))
    if labels.shape != (count,):
        raise ValueError(_("the labels should hold one digit per image, shape ({count},), not {shape}: "
                           "{advice}").format(count=count, shape=labels.shape, advice=advice))
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(_("the labels should be whole numbers (an integer array), not {dtype}: {advice}").format(
            dtype=labels.dtype, advice=advice))
    if count and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise ValueError(_("the labels should be digits 0 to {last}: {advice}").format(
            last=NUM_CLASSES - 1, advice=advice))
    return labels


@functools.lru_cache(maxsize=1)
def mnist():
    """MNIST as load_mnist returns it, loaded once per session for the checkers."""
    return load_mnist()


def number_exercise(name: str, question: str, answer: float, correct: str, hint: str, solution: str,
                    mistakes: Sequence[Mistake] = (), tolerance: float = 1e-9,
                    expected: str | None = None) -> Exercise:
    """A question whose answer is one number."""
    return Exercise(name, question, number_diagnosis(answer, mistakes, tolerance), correct,
                    expected or _("that is not the expected number. Hint: {hint}").format(hint=hint), hint, solution)


