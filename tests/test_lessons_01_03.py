"""Notebooks 01 to 03: the package keeps exactly the code the notebooks write, and the exercises judge the
answers a beginner gives without printing the expected one.

The checks that course_utils agrees with a notebook used to be cells of the notebook; they are here, and
read the notebook's own cells. The tests that need the real MNIST arrays run only where MNIST_DATA_DIR is set.
"""

from __future__ import annotations

import math
import os
import re

import keras
import numpy as np
import pytest
from keras import layers

from course_utils import PROJECT_ROOT
from course_utils import model as course_model
from course_utils.data import encode_labels, load_mnist, prepare_images
from course_utils.exercises import ex01_loading, ex02_preparing, ex03_building
from tests.helpers import assert_correct, assert_feedback, assert_not_quite, code_cells, solve

needs_mnist = pytest.mark.skipif(not os.environ.get("MNIST_DATA_DIR"), reason="MNIST_DATA_DIR is not set")
NOTEBOOKS = PROJECT_ROOT / "notebooks"
NOTEBOOK = {"np": np, "math": math, "keras": keras}


def cell_with(notebook: str, text: str) -> str:
    """The one code cell of ``notebook`` that contains ``text``."""
    (cell,) = [cell for cell in code_cells(NOTEBOOKS / f"{notebook}.ipynb") if text in cell]
    return cell


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.fixture(scope="module")
def lesson01():
    return ex01_loading.exercises()


# --- The package keeps the notebooks' code ---------------------------------------------------------


@needs_mnist
def test_prepare_images_and_encode_labels_are_notebook_02s_lines(mnist, capsys):
    (x_train, y_train), _ = mnist
    names = {"np": np, "to_categorical": keras.utils.to_categorical, "x_train": x_train, "y_train": y_train}
    for text in ("x_train.reshape(", 'x_train.astype("float32") / 255', "y_train = to_categorical(y_train)"):
        exec(cell_with("02_reshaping_and_encoding", text), names)
    assert np.array_equal(prepare_images(x_train), names["x_train"])
    assert np.array_equal(encode_labels(y_train), names["y_train"])


def test_the_course_classifier_is_notebook_03s_network():
    names = {"keras": keras, "layers": layers}
    exec(cell_with("03_building_the_convnet", "def make_classifier(optimizer):"), names)
    notebook_model = names["make_classifier"]("rmsprop")
    assert course_model.architecture(course_model.make_classifier("rmsprop")) == course_model.architecture(
        notebook_model)
    assert notebook_model.count_params() == course_model.ARTICLE_PARAMETER_COUNT


def test_notebooks_02_and_03_draw_their_pictures_with_the_course_code():
    assert "draw_channel_axis(x_train[0]" in "\n".join(code_cells(NOTEBOOKS / "02_reshaping_and_encoding.ipynb"))
    assert "draw_one_hot(y_train[:5])" in "\n".join(code_cells(NOTEBOOKS / "02_reshaping_and_encoding.ipynb"))
    code = "\n".join(code_cells(NOTEBOOKS / "03_building_the_convnet.ipynb"))
    assert "draw_convolution(image, kernel, positions)" in code and "draw_network(model)" in code


# --- No feedback gives the answer away -------------------------------------------------------------


def unrecognised_feedback(exercise, answer, capsys) -> str:
    exercise.check(answer)
    out = capsys.readouterr().out
    assert out.startswith("Not quite: "), out
    return out


@pytest.mark.parametrize("factory, q, answer, secrets", [
    (ex02_preparing.exercises, "q2", 123_456, ["188", "60000 * 28"]),
    (ex02_preparing.exercises, "q1", (7, 7, 7, 7), ["(500, 32, 32, 3)"]),
    (ex03_building.exercises, "q1", 777, ["416", "16 * (5"]),
    (ex03_building.exercises, "q3", 12_345, ["93,322", "93322", "576"]),
])
def test_an_unrecognised_answer_gets_advice_not_the_answer(factory, q, answer, secrets, capsys):
    out = unrecognised_feedback(getattr(factory(), q), answer, capsys)
    assert [secret for secret in secrets if secret in out] == []
    assert "Hint:" not in out


@needs_mnist
@pytest.mark.parametrize("q, answer, secrets", [
    ("q1", 0.5, ["0.80", "0.81", "(x_train == 0)"]),
    ("q3", 7, ["44", "256"]),
])
def test_an_unrecognised_answer_in_lesson_01_gets_advice_not_the_answer(lesson01, q, answer, secrets, capsys):
    out = unrecognised_feedback(getattr(lesson01, q), answer, capsys)
    assert [secret for secret in secrets if secret in out] == []


# --- 01 · Loading ----------------------------------------------------------------------------------


@needs_mnist
def test_a_share_of_blank_pixels_is_accepted_as_a_person_rounds_it(lesson01, mnist, capsys):
    (x_train, _), (x_test, _) = mnist
    exact = float((x_train == 0).mean())
    assert_feedback(lesson01.q1, capsys, right=[exact, round(exact, 4), 0.809, 0.81], wrong=[
        (0.8, "give more digits"),
        (float((x_test == 0).mean()), "test set"),
        (round(100 * exact, 2), "percentage"),
        (81, "percentage"),
        (0.19, "fraction of pixels with ink"),
        (1.5, "between 0 and 1"),
    ])


@needs_mnist
def test_the_first_fives_feedback_names_the_mistake_without_the_code(lesson01, mnist, capsys):
    (x_train, y_train), _ = mnist
    q2 = lesson01.q2
    fives = x_train[y_train == 5]
    for wrong, phrase in [(fives[1:6], "counts positions from 0"), (fives[2:7], "skipped the first"),
                          (x_train[:5][y_train[:5] == 5], "the fives among the first five images"),
                          (fives[:4], "you have 4 images"), (fives[3:4], "you have 1 image;"),
                          (fives[:5, :, :14], "shape (5, 28, 28)"), (fives, "keep only the first five")]:
        assert_not_quite(q2, wrong, phrase, capsys)
        q2.check(wrong)
        assert "[:5]" not in capsys.readouterr().out
    q2.hint()
    assert "[:5]" not in capsys.readouterr().out


@needs_mnist
def test_uint8_wrapping_is_predicted(lesson01, capsys):
    q3 = lesson01.q3
    pixels = np.array([0, 100, 200], dtype=np.uint8)
    answer = solve(q3, "predicted_last", capsys, **NOTEBOOK, pixels=pixels)
    assert answer == (pixels + 100)[2] == ex01_loading.WRAPPED == 44
    assert_feedback(q3, capsys, right=[44, 44.0, np.uint8(44), (pixels + 100)[2]], wrong=[
        (300, "what a calculator gives"),
        (255, "does not stop at the largest byte"),
        (0, "does not drop to 0"),
        (45, "off by one"),
        (100, "the first value"),
        ("44", "without quotes"),
    ])


# --- 02 · Preparing --------------------------------------------------------------------------------


def test_the_shape_of_colour_photos_is_predicted(capsys):
    q1 = ex02_preparing.exercises().q1
    assert solve(q1, "photo_shape", capsys) == ex02_preparing.PHOTO_SHAPE
    assert_feedback(q1, capsys, right=[(500, 32, 32, 3), [500, 32, 32, 3], np.array([500, 32, 32, 3]),
                                       keras.ops.zeros((500, 32, 32, 3)).shape], wrong=[
        ((500, 32, 32, 1), "more than one channel"),
        ((500, 3, 32, 32), "wrong order"),
        ((32, 32, 3, 500), "wrong order"),
        ((500, 32, 32), "channel axis is missing"),
        ((32, 32, 3), "shape of one photo"),
        ((None, 32, 32, 3), "shape of one photo"),
        ((500, 28, 28, 3), "not 28"),
        ((500, 32 * 32 * 3), "four axes"),
        ((500, 32, 32, 3.0), "a tuple of whole numbers"),
        ("(500, 32, 32, 3)", "a tuple of whole numbers"),
    ])


@pytest.mark.parametrize("answer, phrase", [
    (188_160_000 * 8, "counts bits"),
    (1.88e8, "give the exact number"),
    (188_000_000, "give the exact number"),
    (179.4, "megabytes"),
    (188.16, "megabytes"),
])
def test_memory_mistakes_get_specific_feedback(answer, phrase, capsys):
    assert_not_quite(ex02_preparing.exercises().q2, answer, phrase, capsys)


@needs_mnist
def test_the_digits_are_read_back_from_the_one_hot_rows(mnist, capsys):
    (_, labels), (_, test_labels) = mnist
    y_train = keras.utils.to_categorical(labels)
    q3 = ex02_preparing.exercises().q3
    answer = solve(q3, "digits", capsys, **NOTEBOOK, y_train=y_train)
    assert_feedback(q3, capsys, right=[answer, np.argmax(y_train, axis=1), labels, answer.astype("float32")], wrong=[
        (np.argmax(y_train), "one number for the whole array"),
        (y_train.argmax(axis=0), "wrong axis"),
        (y_train.sum(axis=0), "wrong axis"),
        (y_train.max(axis=1), "largest value of each row"),
        (y_train, "still one-hot"),
        (test_labels, "test labels"),
        (labels[::-1], "another order"),
        (labels[:-1], "shape (60000,)"),
        ("5", "NumPy array"),
    ])


# --- 03 · Building ---------------------------------------------------------------------------------


def test_the_valid_parameter_count_is_what_keras_counts(capsys):
    def conv(filters):
        return layers.Conv2D(filters, (3, 3), activation="relu", padding="valid")

    valid = keras.Sequential([keras.Input(shape=(28, 28, 1)), conv(32), layers.MaxPooling2D((2, 2)), conv(64),
                              layers.MaxPooling2D((2, 2)), conv(64), layers.Flatten(),
                              layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])
    assert valid.count_params() == ex03_building.VALID_PARAMETERS == 93_322
    q3 = ex03_building.exercises().q3
    assert_correct(q3, solve(q3, "valid_parameters", capsys, **NOTEBOOK), capsys)
    assert_feedback(q3, capsys, right=[93_322, 93_322.0, np.int64(93_322), valid.count_params()], wrong=[
        (257_162, "the count with padding='same'"),
        (158_858, "5 x 5 feature maps"),
        (121_994, "rounds down"),
        (36_928, "one layer's count"),
        ("93322", "without quotes"),
    ])
    q3.check(257_162)
    assert not re.search(r"\d{2},?\d{3}", capsys.readouterr().out.replace("257,162", ""))


def test_a_3x3_filter_is_not_the_5x5_count(capsys):
    assert_not_quite(ex03_building.exercises().q1, 160, "3x3 filters", capsys)
