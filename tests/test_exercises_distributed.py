"""course_utils.exercises.ex12_distributed: each checker accepts its solution and names each common mistake.
(What every question must do, and the numbers of q1, are checked with every lesson's in tests/test_exercises.py.)"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from course_utils.exercises import ex12_distributed
from tests.helpers import assert_correct, assert_not_quite, assert_refused_kindly, solve


@pytest.fixture
def ex():
    """The exercises as notebook 12 binds them."""
    return ex12_distributed.exercises()


@pytest.mark.parametrize("q", ["q1", "q2"])
def test_a_list_is_reported_not_raised(q, ex, capsys):
    assert_refused_kindly(getattr(ex, q), [138], capsys)


@pytest.mark.parametrize("q, variable", [("q1", "steps"), ("q2", "my_optimizer")])
def test_solutions_are_accepted(q, variable, ex, capsys):
    # the notebook has imported keras only
    assert_correct(getattr(ex, q), solve(getattr(ex, q), variable, capsys, keras=keras), capsys)


# --- Q2: RMSprop for 8 replicas ------------------------------------------------------------------------
# The answers are made in the tests, not when pytest collects them: an optimizer makes Keras variables.

@pytest.mark.parametrize("answer", [
    lambda: keras.optimizers.RMSprop(learning_rate=0.008),
    lambda: keras.optimizers.RMSprop(learning_rate=0.001 * 8),
    lambda: keras.optimizers.RMSprop(learning_rate=float(np.float32(0.008)), rho=0.9),
], ids=["0.008", "0.001 * 8", "float32 0.008 and rho"])
def test_q2_right(answer, ex, capsys):
    assert_correct(ex.q2, answer(), capsys)


@pytest.mark.parametrize("answer, phrase", [
    (lambda: "rmsprop", "a string like 'rmsprop'"),
    (lambda: 0.008, "that is a number"),
    (lambda: keras.optimizers.Adam(learning_rate=0.008), "this is Adam"),
    (lambda: keras.optimizers.RMSprop(), "the article's rate for one device"),
    (lambda: keras.optimizers.RMSprop(learning_rate=0.002), "the rate for 2 replicas"),
    (lambda: keras.optimizers.RMSprop(learning_rate=0.000125), "divides by 8"),
    (lambda: keras.optimizers.RMSprop(learning_rate=0.001 * math.sqrt(8)), "square-root rule"),
    (lambda: keras.optimizers.RMSprop(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.008, 100, 0.9)),
     "not a schedule"),
    (lambda: keras.optimizers.RMSprop(learning_rate=0.016), "learning_rate 0.001 times the number of replicas"),
])
def test_q2_wrong(answer, phrase, ex, capsys):
    assert_not_quite(ex.q2, answer(), phrase, capsys)
