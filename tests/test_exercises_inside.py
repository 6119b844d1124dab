"""course_utils.exercises.ex07_inside: the checkers accept their solutions, the kernel checker accepts right
kernels and names each common mistake (a line detector among them: it is not an edge detector). What every
question must do, and the number answers of q1 and q3, are checked with every lesson's in
tests/test_exercises.py; q4 (added later) is checked here in full.

The answer key is checked against Keras itself: the output size with a real Conv2D, the receptive
field by lighting up one input pixel at a time in a network of the article's shape.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from course_utils.exercises import ex07_inside
from tests.helpers import assert_correct, assert_like_every_question, assert_not_quite, feedback, solve

HORIZONTAL = np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]], dtype="float32")  # the notebook's kernel


@pytest.fixture
def ex():
    """The exercises as notebook 07 binds them."""
    return ex07_inside.exercises()


@pytest.mark.parametrize("q, variable", [("q1", "valid_5x5_size"), ("q3", "fourth_conv_field"),
                                         ("q4", "parameters_lost")])
def test_number_solutions_are_accepted(q, variable, ex, capsys):
    assert_correct(getattr(ex, q), solve(getattr(ex, q), variable, capsys), capsys)


DIAGONAL = np.array([[0, -1, -1], [1, 0, -1], [1, 1, 0]])
LINE = np.array([[2, -1, -1], [-1, 2, -1], [-1, -1, 2]])  # a diagonal line detector, which the old checker accepted


@pytest.mark.parametrize("kernel", [
    DIAGONAL,
    -DIAGONAL,  # dark-to-bright or bright-to-dark: both are the same edge
    [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],  # the diagonal Sobel kernel
    0.5 * DIAGONAL,  # any scale
    DIAGONAL.reshape(3, 3, 1, 1),  # the shape Conv2D stores
])
def test_diagonal_kernels_are_accepted(kernel, ex, capsys):
    assert_correct(ex.q2, kernel, capsys)


def test_a_line_detector_is_refused_and_the_verdict_says_why(ex, capsys):
    """A line detector sums to 0 and answers the diagonal edge more than the straight ones, yet it is not an edge
    detector: its verdict says so and does not tell it that its sides have opposite signs."""
    out = feedback(ex.q2, LINE, capsys)
    assert out.startswith("Not quite: ") and "same sign" in out, out
    assert "Correct" not in out


def test_the_correct_verdict_describes_an_edge_detector(ex, capsys):
    out = feedback(ex.q2, DIAGONAL, capsys)
    assert out.startswith("Correct: ") and "opposite sign" in out and "not a thin line" in out, out


def test_the_kernel_solution_is_accepted(ex, capsys):
    assert_correct(ex.q2, solve(ex.q2, "diagonal_kernel", capsys, np=np), capsys)


@pytest.mark.parametrize("kernel, phrase", [
    (HORIZONTAL, "horizontal or a vertical edge"),
    (HORIZONTAL.T, "horizontal or a vertical edge"),
    ([[0, 0, -1], [0, 0, 0], [1, 0, 0]], "horizontal or a vertical edge"),  # only the corners
    (np.fliplr(DIAGONAL), "the other diagonal, from top-right"),
    ([[-1, 1, 1], [0, 0, 0], [1, -1, -1]], "as strongly as this one"),  # both diagonal edges alike
    # Line detectors: a thin diagonal stroke, not an edge (the two sides of the diagonal have the same sign).
    (LINE, "thin diagonal line"),
    (-LINE, "thin diagonal line"),
    (np.fliplr(LINE), "thin diagonal line"),  # the other diagonal's line
    ([[1, -1, 0], [-1, 2, -1], [0, -1, 1]], "thin diagonal line"),
    ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], "thin diagonal line"),  # a Laplacian: a spot or line detector
    ([[0, -1, -1], [1, 0, -1], [1, 1, 1]], "must add up to 0"),  # flat areas would not give 0
    (np.ones((3, 3)), "must add up to 0"),
    (np.zeros((3, 3)), "gives 0 on an edge from top-left"),
    (np.array([[0, -1, -1]] * 5), "has shape (5, 3)"),
    ([-1, 0, 1], "has shape (3,)"),
    ([[np.nan, 0, 1]] * 3, "nan or inf"),
    ("kernel", "NumPy array"),
])
def test_kernel_mistakes_get_specific_feedback(kernel, phrase, ex, capsys):
    assert_not_quite(ex.q2, kernel, phrase, capsys)


# --- The answer key agrees with Keras --------------------------------------------------------------


def test_q1_accepts_what_keras_computes(ex, capsys):
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(1, (5, 5), padding="valid")])
    assert model.output_shape == (None, 24, 24, 1)
    assert_correct(ex.q1, model.output_shape[1], capsys)


def receptive_field(model: keras.Model) -> int:
    """Width of the input region that moves the centre unit of ``model``'s output (one pixel at a time)."""
    impulses = np.eye(28 * 28, dtype="float32").reshape(-1, 28, 28, 1)
    outputs = model.predict(impulses, verbose=0)
    centre = outputs.shape[1] // 2
    moved = (outputs[:, centre, centre, 0] != 0).reshape(28, 28)
    return int(moved.any(axis=0).sum())


def test_q3_accepts_what_keras_computes(ex, capsys):
    def conv():  # all weights 1 and no relu, so that no contribution cancels
        return layers.Conv2D(1, (3, 3), padding="same", use_bias=False, kernel_initializer="ones")

    article_shape = [conv(), layers.MaxPooling2D(2), conv(), layers.MaxPooling2D(2), conv()]
    assert receptive_field(keras.Sequential([keras.Input((28, 28, 1)), *article_shape])) == 18
    fourth = receptive_field(keras.Sequential([keras.Input((28, 28, 1)), *article_shape, conv()]))
    assert fourth == 26
    assert_correct(ex.q3, fourth, capsys)


# --- q1 and q3: the wrong answers a beginner gives --------------------------------------------------


@pytest.mark.parametrize("q, answer, phrase", [
    ("q1", 576, "the question asks for its height alone"),  # 24 x 24 positions
    ("q3", 18, "the last row of the table"),  # the number printed above
    ("q3", 34, "only pooling doubles the jump"),
])
def test_more_number_mistakes_get_specific_feedback(q, answer, phrase, ex, capsys):
    assert_not_quite(getattr(ex, q), answer, phrase, capsys)


# --- q4: what padding does to the parameter count ---------------------------------------------------


def test_q4_is_an_exercise_like_the_others(ex, capsys):
    assert_like_every_question(ex.q4, capsys, answers=(None, "0", [0], {"a": 1}))


@pytest.mark.parametrize("answer", [0, 0.0, np.int64(0)])
def test_q4_accepts_no_change(answer, ex, capsys):
    assert_correct(ex.q4, answer, capsys)


@pytest.mark.parametrize("answer, phrase", [
    (28 * 28 - 26 * 26, "Outputs are not parameters"),  # the output positions that "valid" loses
    (32 * (28 * 28 - 26 * 26), "Outputs are not parameters"),
    (320, "how many parameters the layer has"),  # the count printed above
    (288, "the number of weights"),
    (-108, "0 or more"),
    (2, "Think of what a Conv2D layer stores"),  # one pixel lost on each side
])
def test_q4_mistakes_get_specific_feedback(answer, phrase, ex, capsys):
    out = feedback(ex.q4, answer, capsys)
    assert out.startswith("Not quite: ") and phrase in out, out
    assert "320 either way" not in out  # the explanation is kept for the right answer


def test_q4_accepts_what_keras_counts(ex, capsys):
    counts = {}
    for padding in ("same", "valid"):
        layer = layers.Conv2D(32, (3, 3), padding=padding)
        layer.build((None, 28, 28, 1))
        counts[padding] = layer.count_params()
    assert counts == {"same": 320, "valid": 320}
    assert_correct(ex.q4, counts["same"] - counts["valid"], capsys)
