"""course_utils.exercises.inside: every checker accepts right answers and names each common mistake.

The answer key is checked against Keras itself: the output size with a real Conv2D, the receptive
field by lighting up one input pixel at a time in a network of the article's shape.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from course_utils.exercises.inside import exercises as inside_the_convnet

QUESTIONS = ("q1", "q2", "q3")
HORIZONTAL = np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]], dtype="float32")  # the notebook's kernel


def feedback(q: str, answer, capsys) -> str:
    """What check(answer) prints; check itself must return None."""
    assert getattr(inside_the_convnet(), q).check(answer) is None
    return capsys.readouterr().out


def assert_not_quite(q: str, answer, phrase: str, capsys) -> None:
    out = feedback(q, answer, capsys)
    assert out.startswith("Not quite: ") and phrase in out, out


def solve(q: str, variable: str, capsys, **names):
    """Run the code solution() prints with only ``names`` defined; return ``variable``."""
    getattr(inside_the_convnet(), q).solution()
    namespace = dict(names)
    exec(capsys.readouterr().out.removeprefix("Solution:\n"), namespace)
    return namespace[variable]


@pytest.mark.parametrize("q", QUESTIONS)
def test_placeholder_is_reported_kindly(q, capsys):
    out = feedback(q, ..., capsys)
    assert out.startswith("Not answered yet: replace ... with your answer") and f"ex.{q}.hint()" in out


@pytest.mark.parametrize("q", QUESTIONS)
def test_hint_and_solution_print_text(q, capsys):
    exercise = getattr(inside_the_convnet(), q)
    assert exercise.hint() is None and len(capsys.readouterr().out) > len("Hint: ") + 10
    assert exercise.solution() is None and len(capsys.readouterr().out) > len("Solution:\n") + 10


@pytest.mark.parametrize("q", QUESTIONS)
@pytest.mark.parametrize("answer", [None, object(), "text", {"a": 1}])
def test_a_wrong_type_is_reported_not_raised(q, answer, capsys):
    out = feedback(q, answer, capsys)
    assert out.startswith("Not quite: ") and "0x" not in out


@pytest.mark.parametrize("q, variable", [("q1", "valid_5x5_size"), ("q3", "fourth_conv_field")])
def test_number_solutions_are_accepted(q, variable, capsys):
    assert feedback(q, solve(q, variable, capsys), capsys).startswith("Correct: ")


@pytest.mark.parametrize("q, answer", [("q1", 24), ("q1", np.int64(24)), ("q1", 24.0), ("q3", 26)])
def test_right_numbers_are_accepted(q, answer, capsys):
    assert feedback(q, answer, capsys).startswith("Correct: ")


@pytest.mark.parametrize("q, answer, phrase", [
    ("q1", 28, "padding='same'"),
    ("q1", 26, "output of a 3x3 kernel"),
    ("q1", 23, "add 1"),
    ("q1", 14, "max-pooling"),
    ("q1", "24", "without quotes"),
    ("q1", (24, 24), "not a tuple"),
    ("q1", 25, "subtract what the kernel overhangs"),
    ("q3", 20, "you added 2 pixels"),
    ("q3", 22, "as a 2x2 pooling would"),
    ("q3", 30, "not 3"),
    ("q3", 36, "doubling is what pooling does"),
    ("q3", 27, "(kernel size - 1) x jump"),
])
def test_wrong_numbers_get_specific_feedback(q, answer, phrase, capsys):
    assert_not_quite(q, answer, phrase, capsys)


DIAGONAL = np.array([[0, -1, -1], [1, 0, -1], [1, 1, 0]])


@pytest.mark.parametrize("kernel", [
    DIAGONAL,
    -DIAGONAL,  # dark-to-bright or bright-to-dark: both are the same edge
    [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],  # the diagonal Sobel kernel
    0.5 * DIAGONAL,  # any scale
    DIAGONAL.reshape(3, 3, 1, 1),  # the shape Conv2D stores
])
def test_diagonal_kernels_are_accepted(kernel, capsys):
    assert feedback("q2", kernel, capsys).startswith("Correct: ")


def test_the_kernel_solution_is_accepted(capsys):
    answer = solve("q2", "diagonal_kernel", capsys, np=np)
    assert feedback("q2", answer, capsys).startswith("Correct: ")


@pytest.mark.parametrize("kernel, phrase", [
    (HORIZONTAL, "horizontal or a vertical edge"),
    (HORIZONTAL.T, "horizontal or a vertical edge"),
    ([[0, 0, -1], [0, 0, 0], [1, 0, 0]], "horizontal or a vertical edge"),  # only the corners
    (np.fliplr(DIAGONAL), "the other diagonal, from top-right"),
    ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], "as strongly as this one"),  # a Laplacian: both diagonals alike
    ([[0, -1, -1], [1, 0, -1], [1, 1, 1]], "must add up to 0"),  # flat areas would not give 0
    (np.ones((3, 3)), "must add up to 0"),
    (np.zeros((3, 3)), "gives 0 on an edge from top-left"),
    (np.array([[0, -1, -1]] * 5), "has shape (5, 3)"),
    ([-1, 0, 1], "has shape (3,)"),
    ([[np.nan, 0, 1]] * 3, "nan or inf"),
    ("kernel", "NumPy array"),
])
def test_kernel_mistakes_get_specific_feedback(kernel, phrase, capsys):
    assert_not_quite("q2", kernel, phrase, capsys)


# --- The answer key agrees with Keras --------------------------------------------------------------


def test_q1_accepts_what_keras_computes(capsys):
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(1, (5, 5), padding="valid")])
    assert model.output_shape == (None, 24, 24, 1)
    assert feedback("q1", model.output_shape[1], capsys).startswith("Correct: ")


def receptive_field(model: keras.Model) -> int:
    """Width of the input region that moves the centre unit of ``model``'s output (one pixel at a time)."""
    impulses = np.eye(28 * 28, dtype="float32").reshape(-1, 28, 28, 1)
    outputs = model.predict(impulses, verbose=0)
    centre = outputs.shape[1] // 2
    moved = (outputs[:, centre, centre, 0] != 0).reshape(28, 28)
    return int(moved.any(axis=0).sum())


def test_q3_accepts_what_keras_computes(capsys):
    def conv():  # all weights 1 and no relu, so that no contribution cancels
        return layers.Conv2D(1, (3, 3), padding="same", use_bias=False, kernel_initializer="ones")

    article_shape = [conv(), layers.MaxPooling2D(2), conv(), layers.MaxPooling2D(2), conv()]
    assert receptive_field(keras.Sequential([keras.Input((28, 28, 1)), *article_shape])) == 18
    fourth = receptive_field(keras.Sequential([keras.Input((28, 28, 1)), *article_shape, conv()]))
    assert fourth == 26
    assert feedback("q3", fourth, capsys).startswith("Correct: ")
