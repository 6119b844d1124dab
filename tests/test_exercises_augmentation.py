"""Exercises of 11 · Why a convnet, and augmentation: each checker accepts the right answer and its own
solution, and names each common mistake. No model is trained here."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from keras import layers

from course_utils.exercises import augmentation
from course_utils.model import make_classifier, make_dense_classifier

EX = augmentation.exercises()


def feedback(q: str, answer, capsys) -> str:
    assert getattr(EX, q).check(answer) is None  # check prints, it returns nothing
    return capsys.readouterr().out


def assert_correct(q: str, answer, capsys) -> None:
    out = feedback(q, answer, capsys)
    assert out.startswith("Correct: "), out


def assert_not_quite(q: str, answer, phrase: str, capsys) -> None:
    out = feedback(q, answer, capsys)
    assert out.startswith("Not quite: ") and phrase in out, out


def solve(q: str, variable: str, capsys):
    """Run the code that solution() prints, with the names a notebook has; return ``variable``."""
    getattr(EX, q).solution()
    code = capsys.readouterr().out.removeprefix("Solution:\n")
    namespace = {"np": np, "math": math, "keras": keras}
    exec(code, namespace)
    return namespace[variable]


def shift(constant: float = 2 / 28, **options):
    return layers.RandomTranslation(constant, constant, fill_mode=options.pop("fill_mode", "constant"), **options)


def turn(factor: float = 15 / 360, **options):
    return layers.RandomRotation(factor, fill_mode=options.pop("fill_mode", "constant"), **options)


@pytest.mark.parametrize("q", ["q1", "q2", "q3"])
def test_placeholder_hint_and_solution(q, capsys):
    assert feedback(q, ..., capsys).startswith("Not answered yet: replace ... with your answer")
    getattr(EX, q).hint()
    assert capsys.readouterr().out.startswith("Hint: ")


@pytest.mark.parametrize("q, variable", [("q1", "first_layer_parameters"), ("q2", "cells"), ("q3", "augment")])
def test_solutions_are_accepted(q, variable, capsys):
    assert_correct(q, solve(q, variable, capsys), capsys)


@pytest.mark.parametrize("q, answer", [("q1", "878360"), ("q2", [1]), ("q3", 0.07), ("q3", "RandomRotation")])
def test_a_wrong_type_is_reported_not_raised(q, answer, capsys):
    assert feedback(q, answer, capsys).startswith("Not quite: ")


def test_the_first_layer_count_is_what_keras_counts(capsys):
    """The right answer of q1 is what Keras counts for Dense(280) on a flattened 56x56 image."""
    dense = keras.Sequential([keras.Input((56, 56, 1)), layers.Flatten(), layers.Dense(280)])
    assert_correct("q1", dense.count_params(), capsys)
    small = make_dense_classifier().layers[1].count_params()
    assert_not_quite("q1", small, "four times as many pixels", capsys)


@pytest.mark.parametrize("answer, phrase", [
    (878_080, "also has a bias"),
    (439_600, "twice as wide AND twice as tall"),
    (320, "does not depend on the image size"),
    (1_000_000, "not the expected number"),
])
def test_count_mistakes_get_specific_feedback(answer, phrase, capsys):
    assert_not_quite("q1", answer, phrase, capsys)


def test_the_feature_maps_move_by_one_cell(capsys):
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
    assert_correct("q2", cells, capsys)


@pytest.mark.parametrize("answer, phrase", [
    (4, "each of the two poolings halves it"),
    (2, "after the first pooling"),
    (0, "move with the digit"),
    (0.5, "halved twice"),
    (3, "not the expected number"),
])
def test_shift_mistakes_get_specific_feedback(answer, phrase, capsys):
    assert_not_quite("q2", answer, phrase, capsys)


def test_augmentation_answers_that_are_right(capsys):
    assert_correct("q3", keras.Sequential([shift(), turn()]), capsys)
    assert_correct("q3", [turn(), shift(0.07)], capsys)  # a list, in any order, 0.07 x 28 = 1.96 pixels
    assert_correct("q3", keras.Sequential([shift((-2 / 28, 2 / 28)), turn((-15 / 360, 15 / 360))]), capsys)
    up_down = layers.RandomTranslation(2 / 28, 0.0, fill_mode="constant")
    left_right = layers.RandomTranslation(0.0, (2 / 28, -2 / 28), fill_mode="constant")
    assert_correct("q3", keras.Sequential([up_down, turn(), left_right]), capsys)  # one layer per direction


@pytest.mark.parametrize("make, phrase", [
    (lambda: keras.Sequential([shift()]), "there is no RandomRotation layer"),
    (lambda: keras.Sequential([shift(), turn(), layers.RandomZoom(0.1)]), "remove RandomZoom"),
    (lambda: keras.Sequential([layers.RandomTranslation(2 / 28, 0.0, fill_mode="constant"), turn()]), "width_factor"),
    (lambda: keras.Sequential([shift(0.1), turn()]), "a factor of 2/28 for each"),
    (lambda: keras.Sequential([shift(), turn(15 / 180)]), "half a turn"),
    (lambda: keras.Sequential([shift(), turn(math.radians(15))]), "in radians"),
    (lambda: keras.Sequential([shift(), turn(0.15)]), "a factor of 15/360"),
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
def test_augmentation_mistakes_get_specific_feedback(make, phrase, capsys):
    assert_not_quite("q3", make(), phrase, capsys)


def test_keras_itself_refuses_pixels_and_degrees():
    """Factors above 1 (pixels, degrees) never reach the checker: Keras names the mistake itself."""
    with pytest.raises(ValueError, match="factor"):
        layers.RandomTranslation(2, 2)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomRotation(15)
