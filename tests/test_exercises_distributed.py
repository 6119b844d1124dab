"""course_utils.exercises_distributed: each checker accepts its solution and names each common mistake."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from course_utils.exercises.distributed import exercises as notebook_12


def feedback(q: str, answer, capsys) -> str:
    """What check(answer) prints; check itself must return None."""
    assert getattr(notebook_12(), q).check(answer) is None
    return capsys.readouterr().out


def solve(q: str, variable: str, capsys):
    """Run the code solution() prints, with only keras imported (as in the notebook); return ``variable``."""
    getattr(notebook_12(), q).solution()
    namespace = {"keras": keras}
    exec(capsys.readouterr().out.removeprefix("Solution:\n"), namespace)
    return namespace[variable]


@pytest.mark.parametrize("q", ["q1", "q2"])
def test_placeholder_hint_and_solution(q, capsys):
    out = feedback(q, ..., capsys)
    assert out.startswith("Not answered yet: replace ... with your answer") and f"ex.{q}.hint()" in out
    exercise = getattr(notebook_12(), q)
    exercise.hint()
    assert len(capsys.readouterr().out) > len("Hint: ") + 20
    exercise.solution()
    assert capsys.readouterr().out.startswith("Solution:\n")


@pytest.mark.parametrize("q", ["q1", "q2"])
@pytest.mark.parametrize("answer", [None, object(), {"a": 1}, [138]])
def test_a_wrong_type_is_reported_not_raised(q, answer, capsys):
    out = feedback(q, answer, capsys)
    assert out.startswith("Not quite: ") and "0x" not in out, out


@pytest.mark.parametrize("q, variable", [("q1", "steps"), ("q2", "my_optimizer")])
def test_solutions_are_accepted(q, variable, capsys):
    assert feedback(q, solve(q, variable, capsys), capsys).startswith("Correct: ")


# --- Q1: steps per epoch with 4 replicas of 100 ------------------------------------------------------

@pytest.mark.parametrize("answer", [138, 138.0, np.int64(138), math.ceil(55_000 / 400)])
def test_q1_right(answer, capsys):
    assert feedback("q1", answer, capsys).startswith("Correct: ")


@pytest.mark.parametrize("answer, phrase", [
    (550, "batch of one replica"),
    (137, "rounds down"),
    (137.5, "steps are whole"),
    (150, "uses 60,000 images"),
    (69, "not the article's 200"),
    ("138", "without quotes"),
    (100, "work out the global batch first"),
])
def test_q1_wrong(answer, phrase, capsys):
    out = feedback("q1", answer, capsys)
    assert out.startswith("Not quite: ") and phrase in out, out


# --- Q2: RMSprop for 8 replicas ------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    keras.optimizers.RMSprop(learning_rate=0.008),
    keras.optimizers.RMSprop(learning_rate=0.001 * 8),
    keras.optimizers.RMSprop(learning_rate=float(np.float32(0.008)), rho=0.9),
])
def test_q2_right(answer, capsys):
    assert feedback("q2", answer, capsys).startswith("Correct: ")


@pytest.mark.parametrize("answer, phrase", [
    ("rmsprop", "a string like 'rmsprop'"),
    (0.008, "that is a number"),
    (keras.optimizers.Adam(learning_rate=0.008), "this is Adam"),
    (keras.optimizers.RMSprop(), "the article's rate for one device"),
    (keras.optimizers.RMSprop(learning_rate=0.002), "the rate for 2 replicas"),
    (keras.optimizers.RMSprop(learning_rate=0.000125), "divides by 8"),
    (keras.optimizers.RMSprop(learning_rate=0.001 * math.sqrt(8)), "square-root rule"),
    (keras.optimizers.RMSprop(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.008, 100, 0.9)),
     "not a schedule"),
    (keras.optimizers.RMSprop(learning_rate=0.016), "learning_rate 0.001 times the number of replicas"),
])
def test_q2_wrong(answer, phrase, capsys):
    out = feedback("q2", answer, capsys)
    assert out.startswith("Not quite: ") and phrase in out, out
