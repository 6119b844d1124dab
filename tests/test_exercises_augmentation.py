"""Exercises of 11 · Why a convnet, and augmentation: each checker accepts the right answer and its own
solution, and names each common mistake. No model is trained here. (What every question must do, and the
wrong numbers of q1 and q2, are checked with every lesson's in tests/test_exercises.py.)"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from keras import layers

from course_utils.exercises import ex11_augmentation
from course_utils.model import make_classifier, make_dense_classifier
from tests.helpers import assert_correct, assert_not_quite, assert_refused_kindly, feedback, solve

#: The names notebook 11 has imported when it gets to its exercises: a solution may use them.
NOTEBOOK = {"np": np, "math": math, "keras": keras}


@pytest.fixture(scope="module")
def ex():
    """The exercises as notebook 11 binds them."""
    return ex11_augmentation.exercises()


def shift(constant: float = 2 / 28, **options):
    return layers.RandomTranslation(constant, constant, fill_mode=options.pop("fill_mode", "constant"), **options)


def turn(factor: float = 15 / 360, **options):
    return layers.RandomRotation(factor, fill_mode=options.pop("fill_mode", "constant"), **options)


@pytest.mark.parametrize("q, variable", [("q1", "first_layer_parameters"), ("q2", "cells"), ("q3", "augment")])
def test_solutions_are_accepted(q, variable, ex, capsys):
    assert_correct(getattr(ex, q), solve(getattr(ex, q), variable, capsys, **NOTEBOOK), capsys)


@pytest.mark.parametrize("q, answer", [("q1", "878360"), ("q2", [1]), ("q3", 0.07), ("q3", "RandomRotation")])
def test_a_wrong_type_is_reported_not_raised(q, answer, ex, capsys):
    assert_refused_kindly(getattr(ex, q), answer, capsys)


def test_the_first_layer_count_is_what_keras_counts(ex, capsys):
    """The right answer of q1 is what Keras counts for Dense(280) on a flattened 56x56 image."""
    dense = keras.Sequential([keras.Input((56, 56, 1)), layers.Flatten(), layers.Dense(280)])
    assert_correct(ex.q1, dense.count_params(), capsys)
    small = make_dense_classifier().layers[1].count_params()
    assert_not_quite(ex.q1, small, "four times as many pixels", capsys)


def test_the_feature_maps_move_by_one_cell(ex, capsys):
    """The right answer of q2 is what the convnet does: a small blot in the middle of the image, moved 4
    pixels right, moves the third convolution's maps by exactly 1 cell (untrained, so every bias is 0;
    the blot is small enough that nothing reaches the maps' edges)."""
    keras.utils.set_random_seed(0)
    convnet = make_classifier()
    third = keras.Sequential(convnet.layers[:5])  # up to the third convolution
    digit = np.zeros((1, 28, 28, 1), "float32")
    digit[0, 10:18, 8:16] = np.random.default_rng(0).random((8, 8, 1))
    maps = keras.ops.convert_to_numpy(third(digit))
    moved = keras.ops.convert_to_numpy(third(np.roll(digit, 4, axis=2)))
    assert maps.shape == (1, 7, 7, 64) and maps.any()
    cells = next(k for k in range(4) if np.allclose(np.roll(maps, k, axis=2), moved, atol=1e-5))
    assert_correct(ex.q2, cells, capsys)


def test_augmentation_answers_that_are_right(ex, capsys):
    assert_correct(ex.q3, keras.Sequential([shift(), turn()]), capsys)
    assert_correct(ex.q3, [turn(), shift(0.07)], capsys)  # a list, in any order, 0.07 x 28 = 1.96 pixels
    assert_correct(ex.q3, keras.Sequential([shift((-2 / 28, 2 / 28)), turn((-15 / 360, 15 / 360))]), capsys)
    up_down = layers.RandomTranslation(2 / 28, 0.0, fill_mode="constant")
    left_right = layers.RandomTranslation(0.0, (2 / 28, -2 / 28), fill_mode="constant")
    assert_correct(ex.q3, keras.Sequential([up_down, turn(), left_right]), capsys)  # one layer per direction


@pytest.mark.parametrize("make, phrase", [
    (lambda: keras.Sequential([shift()]), "there is no RandomRotation layer"),
    (lambda: keras.Sequential([shift(), turn(), layers.RandomZoom(0.1)]), "remove RandomZoom"),
    (lambda: keras.Sequential([layers.RandomTranslation(2 / 28, 0.0, fill_mode="constant"), turn()]),
     "nothing moves the digit left/right: RandomTranslation's width_factor is 0"),
    (lambda: keras.Sequential([shift(0.1), turn()]), "moves the digit up to 2.8 pixels up/down"),
    (lambda: keras.Sequential([shift(), turn(15 / 180)]), "half a turn"),
    (lambda: keras.Sequential([shift(), turn(math.radians(15))]), "in radians"),
    (lambda: keras.Sequential([shift(), turn(0.15)]), "turns the digit up to 54 degrees"),
    (lambda: keras.Sequential([shift(0.5), shift(), turn()]), "2 RandomTranslation layers move the digit up/down"),
    (lambda: keras.Sequential([shift(), shift(0.5), turn()]), "their shifts add up"),
    (lambda: keras.Sequential([shift(), turn(), turn()]), "2 RandomRotation layers"),
    (lambda: keras.Sequential([layers.RandomTranslation(2 / 28, 0.0, fill_mode="constant"),
                               layers.RandomTranslation(0.0, 2 / 28), turn()]), "fill_mode='reflect'"),
    (lambda: keras.Sequential([shift(), turn((0, 15 / 360))]), "either way"),
    (lambda: keras.Sequential([shift(), turn((-5 / 360, 15 / 360))]), "either way"),
    (lambda: keras.Sequential([shift((0, 2 / 28)), turn()]), "in each direction"),
    (lambda: keras.Sequential([layers.RandomTranslation(2 / 28, (-2 / 28, 0), fill_mode="constant"), turn()]),
     "in each direction"),
    (lambda: keras.Sequential([shift(), layers.RandomRotation(15 / 360)]), "fill_mode='reflect'"),
    (lambda: keras.Sequential([shift(fill_mode="nearest"), turn()]), "fill_mode='nearest'"),
    (lambda: keras.Sequential([shift(fill_value=1.0), turn()]), "fill_value=1.0"),
    (lambda: [1, 2], "keras.Sequential (or a list) of Keras layers"),
])
def test_augmentation_mistakes_get_specific_feedback(make, phrase, ex, capsys):
    out = feedback(ex.q3, make(), capsys)
    assert out.startswith("Not quite: ") and phrase in out, out
    # the feedback says what the answer does, never which factors are right
    assert not any(answer in out for answer in ("2/28", "2 / 28", "15/360", "15 / 360", "0.0714", "0.0417")), out


@pytest.mark.parametrize("q, answer", [("q1", 1_000_000), ("q1", 878_080), ("q1", 439_600), ("q2", 3), ("q2", 4)])
def test_number_feedback_never_gives_the_answer(q, answer, ex, capsys):
    out = feedback(getattr(ex, q), answer, capsys)
    assert out.startswith("Not quite: ") and "878,360" not in out and "878360" not in out and "4 / 2 / 2" not in out
    assert "Hint:" not in out, out  # an unknown number points to the hint; it does not print it


def test_keras_itself_refuses_pixels_and_degrees():
    """Factors above 1 (pixels, degrees) never reach the checker: Keras names the mistake itself."""
    with pytest.raises(ValueError, match="factor"):
        layers.RandomTranslation(2, 2)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomRotation(15)
