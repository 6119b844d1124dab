"""course_utils.exercises.ex12_distributed: each checker accepts its solution and names each common mistake,
without giving the answer away. (What every question must do, and the numbers of q1 and q2, are checked with
every lesson's in tests/test_exercises.py; q3, which that module does not list, is checked here too.)"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from course_utils.exercises import ex12_distributed
from tests.helpers import (
    assert_correct,
    assert_like_every_question,
    assert_not_quite,
    assert_refused_kindly,
    feedback,
    solve,
)


@pytest.fixture
def ex():
    """The exercises as notebook 12 binds them."""
    return ex12_distributed.exercises()


@pytest.mark.parametrize("q", ["q1", "q2", "q3"])
def test_a_list_is_reported_not_raised(q, ex, capsys):
    assert_refused_kindly(getattr(ex, q), [50], capsys)


@pytest.mark.parametrize("q, variable", [("q1", "per_replica_batch"), ("q2", "learning_rate"), ("q3", "my_optimizer")])
def test_solutions_are_accepted(q, variable, ex, capsys):
    # the notebook has imported keras, numpy and tensorflow; the solutions need keras at most
    assert_correct(getattr(ex, q), solve(getattr(ex, q), variable, capsys, keras=keras), capsys)


def test_q3_is_reported_like_every_question(ex, capsys):
    assert_like_every_question(ex.q3, capsys)


# --- Q1 and Q2: 4 GPUs that keep the global batch of 200 -------------------------------------------------

@pytest.mark.parametrize("answer, phrase", [
    (275 / 4, "divides the epoch's steps"),
    (69, "divides the epoch's steps"),
    ("50", "without quotes"),
    (12.5, "not a mistake this check knows"),
])
def test_q1_wrong(answer, phrase, ex, capsys):
    assert_not_quite(ex.q1, answer, phrase, capsys)


def test_q2_accepts_the_rate_written_as_a_computation(ex, capsys):
    assert_correct(ex.q2, 0.001 * 200 / 200, capsys)
    assert_correct(ex.q2, np.float32(0.001), capsys)
    assert_not_quite(ex.q2, 0.008, "not a mistake this check knows", capsys)


@pytest.mark.parametrize("q, wrong, answer_text", [
    ("q1", [200, 800, 4, 68.75, 69, 30], ["50", "200 // 4", "200 / 4"]),
    ("q2", [0.004, 0.00025, 0.002, 0.01], ["stays 0.001", "0.001 * 200 / 200"]),
])
def test_wrong_answers_never_get_the_answer(q, wrong, answer_text, ex, capsys):
    for answer in wrong:
        out = feedback(getattr(ex, q), answer, capsys)
        assert out.startswith("Not quite: ") and not any(text in out for text in answer_text), out


# --- Q3: RMSprop for 8 replicas ------------------------------------------------------------------------
# The answers are made in the tests, not when pytest collects them: an optimizer makes Keras variables.

@pytest.mark.parametrize("answer", [
    lambda: keras.optimizers.RMSprop(learning_rate=0.008),
    lambda: keras.optimizers.RMSprop(learning_rate=0.001 * 8),
    lambda: keras.optimizers.RMSprop(learning_rate=float(np.float32(0.008)), rho=0.9),
], ids=["0.008", "0.001 * 8", "float32 0.008 and rho"])
def test_q3_right(answer, ex, capsys):
    assert_correct(ex.q3, answer(), capsys)


@pytest.mark.parametrize("answer, phrase", [
    (lambda: "rmsprop", "a string like 'rmsprop'"),
    (lambda: 0.008, "that is a number"),
    (lambda: keras.optimizers.Adam(learning_rate=0.008), "this is Adam"),
    (lambda: keras.optimizers.RMSprop(), "the article's rate for one device"),
    (lambda: keras.optimizers.RMSprop(learning_rate=0.002), "the rate for 2 replicas"),
    (lambda: keras.optimizers.RMSprop(learning_rate=0.000125), "that divides"),
    (lambda: keras.optimizers.RMSprop(learning_rate=0.001 * math.sqrt(8)), "square-root rule"),
    (lambda: keras.optimizers.RMSprop(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.008, 100, 0.9)),
     "not a schedule"),
    (lambda: keras.optimizers.RMSprop(learning_rate=0.016), "your rate is 16 times the article's 0.001"),
    (lambda: keras.optimizers.RMSprop(learning_rate=0.004), "your rate is 4 times the article's 0.001"),
])
def test_q3_wrong(answer, phrase, ex, capsys):
    out = feedback(ex.q3, answer(), capsys)
    assert out.startswith("Not quite: ") and phrase in out, out
    assert "0.008" not in out and "0.001 * 8" not in out, out  # never the answer
