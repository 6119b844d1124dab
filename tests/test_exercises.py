"""course_utils.exercises: every checker accepts a right answer and its own solution, and names each
common mistake.

What every question of every lesson must do (report the placeholder, print a hint and a solution, refuse a
wrong type kindly) and the number questions of every lesson are checked here; the rest of lessons 07, 11 and 12
is in tests/test_exercises_inside.py, test_exercises_augmentation.py and test_exercises_distributed.py.

No model is trained here: the answers are numbers, shapes, small arrays, figures, schedules and
untrained or hand-made models. Checks against the real MNIST arrays run only where MNIST_DATA_DIR is set.
"""

from __future__ import annotations

import functools
import math
import os
import re

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from keras import layers

from course_utils.data import prepare_images
from course_utils.exercises import (
    core,
    ex01_loading,
    ex02_preparing,
    ex03_building,
    ex04_training,
    ex05_history,
    ex06_evaluating,
    ex07_inside,
    ex08_regularising,
    ex09_optimizers,
    ex10_fast_track,
    ex11_augmentation,
    ex12_distributed,
    ex13_playground,
)
from tests.helpers import (
    assert_correct,
    assert_feedback,
    assert_hint_and_solution_print_text,
    assert_not_answered,
    assert_not_quite,
    assert_refused_kindly,
    solve,
)

REAL_DATA = os.environ.get("MNIST_DATA_DIR")
needs_mnist = pytest.mark.skipif(not REAL_DATA, reason="MNIST_DATA_DIR is not set")

# A made-up history whose best, worst and training-best epochs all differ: best val_loss in epoch 3.
HISTORY = {
    "loss": [0.5, 0.3, 0.2, 0.1, 0.05],
    "accuracy": [0.80, 0.90, 0.95, 0.97, 0.99],
    "val_loss": [0.45, 0.25, 0.2, 0.22, 0.3],
    "val_accuracy": [0.85, 0.90, 0.93, 0.94, 0.95],
}
# 20 test digits, 4 wrong: true 3 is mistaken 3 times (as 8, 8, 5), true 7 once (as 8).
LABELS = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 3, 0, 1, 2, 4, 5, 6, 8, 9])
PREDICTED = np.array([0, 1, 2, 8, 4, 5, 6, 8, 8, 9, 8, 5, 0, 1, 2, 4, 5, 6, 8, 9])
CONFIDENCE = np.linspace(0.5, 0.95, 20)
ONE_HOT = np.eye(10)[PREDICTED]
PROBABILITIES = ONE_HOT * CONFIDENCE[:, None] + (1 - ONE_HOT) * ((1 - CONFIDENCE) / 9)[:, None]


class TemplateModel:
    """A hand-made classifier for the playground checkers: the nearest of 10 fixed templates, by dot product.
    It is sensitive to shifts and to inversion, like a real model, and needs no training."""

    def __init__(self):
        rng = np.random.default_rng(1)
        self.templates = rng.random((10, 28 * 28)).astype("float32")

    def __call__(self, images, training=False):
        scores = np.asarray(images).reshape(len(images), -1) @ self.templates.T
        return keras.ops.softmax(scores)

    def predict(self, images, verbose=0):
        return np.asarray(self(images))


LEFT_HALF = (np.arange(28) < 14)[None, None, :, None]
PLAY_IMAGES = np.random.default_rng(2).random((60, 28, 28, 1)).astype("float32") * LEFT_HALF
PLAY_MODEL = TemplateModel()


@functools.cache
def play_labels() -> np.ndarray:
    """The template model's own digits for PLAY_IMAGES, so it is right on every unmoved image. Worked out
    at first use, in a test: the model calls Keras, and this module calls nothing when it is imported."""
    return np.asarray(PLAY_MODEL(PLAY_IMAGES)).argmax(axis=1)


FACTORIES = {
    "loading": ex01_loading.exercises,
    "preparing": ex02_preparing.exercises,
    "building": ex03_building.exercises,
    "training": ex04_training.exercises,
    "history": lambda: ex05_history.exercises(HISTORY),
    "evaluating": lambda: ex06_evaluating.exercises(PROBABILITIES, LABELS),
    "inside": ex07_inside.exercises,
    "regularising": ex08_regularising.exercises,
    "optimizers": ex09_optimizers.exercises,
    "fast_track": ex10_fast_track.exercises,
    "augmentation": ex11_augmentation.exercises,
    "distributed": ex12_distributed.exercises,
    "playground": lambda: ex13_playground.exercises(PLAY_MODEL, PLAY_IMAGES, play_labels()),
}
NEEDS_DATA = {"loading", "preparing"}
THREE_QUESTIONS = {"loading", "preparing", "building", "inside", "augmentation"}  # the other lessons ask two
ALL = [pytest.param(lesson, q, marks=[needs_mnist] if lesson in NEEDS_DATA else [])
       for lesson in FACTORIES for q in (["q1", "q2", "q3"] if lesson in THREE_QUESTIONS else ["q1", "q2"])]


#: The names a notebook has imported when it gets to its exercises: a solution may use them.
NOTEBOOK = {"np": np, "math": math, "keras": keras, "plt": plt}


def exercise(lesson: str, q: str) -> core.Exercise:
    """Question ``q`` of ``lesson``, from a fresh binding of its exercises, as a notebook makes."""
    return getattr(FACTORIES[lesson](), q)


@pytest.fixture(scope="module")
def mnist():
    return core.mnist()


@pytest.fixture(scope="module", autouse=True)
def figures_off_screen():
    """The figures drawn here are never shown: matplotlib's Agg backend draws them in memory."""
    matplotlib.use("Agg")


# --- Every exercise --------------------------------------------------------------------------------


@pytest.mark.parametrize("lesson, q", ALL)
def test_placeholder_is_reported_kindly(lesson, q, capsys):
    assert_not_answered(exercise(lesson, q), capsys)


@pytest.mark.parametrize("lesson, q", ALL)
def test_hint_and_solution_print_text(lesson, q, capsys):
    assert_hint_and_solution_print_text(exercise(lesson, q), capsys)


@pytest.mark.parametrize("lesson, q", ALL)
@pytest.mark.parametrize("answer", [None, object(), "text", {"a": 1}])
def test_a_wrong_type_is_reported_not_raised(lesson, q, answer, capsys):
    out = assert_refused_kindly(exercise(lesson, q), answer, capsys)
    assert "could not be checked" not in out  # each checker names what kind of answer it wants


# --- Number questions ------------------------------------------------------------------------------

RIGHT_NUMBERS = [
    ("building", "q1", 416), ("building", "q1", np.int64(416)), ("building", "q1", 416.0),
    ("training", "q1", 430), ("training", "q2", 3.258097), ("training", "q2", np.log(26)),
    ("history", "q2", 5),
    ("inside", "q1", 24), ("inside", "q1", np.int64(24)), ("inside", "q1", 24.0), ("inside", "q3", 26),
    ("regularising", "q1", 448), ("regularising", "q2", 4 / 3), ("regularising", "q2", 1.333),
    ("optimizers", "q1", 0.0031623), ("optimizers", "q2", 10), ("optimizers", "q2", 10.000000001),
    ("fast_track", "q2", 0.91),
    ("distributed", "q1", 50), ("distributed", "q1", 50.0), ("distributed", "q1", np.int64(50)),
    ("distributed", "q2", 0.001),
    ("preparing", "q2", 188_160_000),
]

WRONG_NUMBERS = [
    ("building", "q1", 400, "also has a bias"),
    ("building", "q1", 1216, "3 colour channels"),
    ("building", "q1", 16 * 25 * 28 * 28 + 16, "weights are shared"),
    ("training", "q1", 429, "rounds down"),
    ("training", "q1", 469, "60,000 images"),
    ("training", "q1", 429.6875, "whole number"),
    ("training", "q2", 2.302585, "ten digits"),
    ("training", "q2", 1.415, "log10"),
    ("training", "q2", -3.258097, "sign is reversed"),
    ("training", "q2", 0.9615, "not 1 - p"),
    ("history", "q2", 3, "lowest validation loss"),
    ("history", "q2", 4, "first epoch without a new low"),
    ("history", "q2", 4, "Or: that counts the epochs from 0"),
    ("history", "q2", 6, "epochs 1 to 5"),
    ("history", "q2", 2, "go through the epochs"),
    ("inside", "q1", 28, "padding='same'"),
    ("inside", "q1", 26, "output of a 3x3 kernel"),
    ("inside", "q1", 23, "add 1"),
    ("inside", "q1", 14, "max-pooling"),
    ("inside", "q1", (24, 24), "not a tuple"),
    ("inside", "q1", 25, "subtract what the kernel overhangs"),
    ("inside", "q3", 20, "you added 2 pixels"),
    ("inside", "q3", 22, "as a 2x2 pooling would"),
    ("inside", "q3", 30, "not 3"),
    ("inside", "q3", 36, "doubling is what pooling does"),
    ("inside", "q3", 27, "(kernel size - 1) x jump"),
    ("regularising", "q1", 896, "all 4 numbers per channel"),
    ("regularising", "q1", 224, "two running statistics"),
    ("regularising", "q1", 320, "also follows the Dense(64)"),
    ("regularising", "q1", 0, "does not train them"),
    ("regularising", "q2", 0.75, "fraction kept"),
    ("regularising", "q2", 1.25, "falls short"),
    ("regularising", "q2", 4, "1 / 0.25"),
    ("regularising", "q2", 1, "scaled up"),
    ("optimizers", "q1", 0.0005, "plain SGD"),
    ("optimizers", "q1", 0.001 * 0.5 / math.sqrt(0.9 * 0.25), "not rho"),
    ("optimizers", "q1", 0.001 * 0.5 / 0.025, "square root"),
    ("optimizers", "q2", 0.9, "add up all the kept shares"),
    ("optimizers", "q2", 1.9, "after two steps"),
    ("optimizers", "q2", 9, "leave out the first term"),
    ("fast_track", "q2", 0.9, "ALL 10 classes"),
    ("fast_track", "q2", 0.01, "WRONG digit"),
    ("fast_track", "q2", 1, "plain one-hot"),
    ("augmentation", "q1", 878_080, "also has a bias"),
    ("augmentation", "q1", 439_600, "twice as wide AND twice as tall"),
    ("augmentation", "q1", 320, "does not depend on the image size"),
    ("augmentation", "q1", 1_000_000, "not the expected number"),
    ("augmentation", "q2", 4, "each of the two poolings halves it"),
    ("augmentation", "q2", 2, "after the first pooling"),
    ("augmentation", "q2", 0, "move with the digit"),
    ("augmentation", "q2", 0.5, "halved twice"),
    ("augmentation", "q2", 3, "not the expected number"),
    ("distributed", "q1", 200, "200 is the global batch here"),
    ("distributed", "q1", 800, "a global batch of 800"),
    ("distributed", "q1", 4, "the number of GPUs"),
    ("distributed", "q1", 68.75, "divides the epoch's steps"),
    ("distributed", "q1", 30, "not the expected number"),
    ("distributed", "q2", 0.004, "scales the rate by the number of GPUs"),
    ("distributed", "q2", 0.00025, "divides by the number of GPUs"),
    ("distributed", "q2", 0.002, "a global batch of 400"),
    ("preparing", "q2", 376_320_000, "float64"),
    ("preparing", "q2", 47_040_000, "one byte per value"),
    ("preparing", "q2", 179.4, "megabytes"),
]


@pytest.mark.parametrize("lesson, q, answer", RIGHT_NUMBERS)
def test_right_numbers_are_accepted(lesson, q, answer, capsys):
    assert_correct(exercise(lesson, q), answer, capsys)


@pytest.mark.parametrize("lesson, q, answer, phrase", WRONG_NUMBERS)
def test_wrong_numbers_get_specific_feedback(lesson, q, answer, phrase, capsys):
    assert_not_quite(exercise(lesson, q), answer, phrase, capsys)


@pytest.mark.parametrize("lesson, q, answer", [("building", "q1", "416"), ("inside", "q1", "24"),
                                               ("distributed", "q1", "50")])
def test_a_number_in_quotes_is_named(lesson, q, answer, capsys):
    assert_not_quite(exercise(lesson, q), answer, "without quotes", capsys)


@pytest.mark.parametrize("lesson, q, variable, names", [
    ("building", "q1", "conv_parameters", {}),
    ("training", "q1", "steps_per_epoch", {}),
    ("training", "q2", "guess_loss", {}),
    ("history", "q2", "stop_epoch", {"history": HISTORY}),
    ("evaluating", "q2", "wrong_confidence", {"probabilities": PROBABILITIES, "labels_test": LABELS}),
    ("regularising", "q1", "batch_norm_frozen", {}),
    ("regularising", "q2", "dropout_factor", {}),
    ("optimizers", "q1", "rmsprop_step", {}),
    ("optimizers", "q2", "momentum_factor", {}),
    ("fast_track", "q2", "right_digit_target", {}),
    ("preparing", "q2", "prepared_bytes", {}),
])
def test_solutions_are_accepted(lesson, q, variable, names, capsys):
    assert_correct(exercise(lesson, q), solve(exercise(lesson, q), variable, capsys, **NOTEBOOK, **names), capsys)


def test_the_frozen_batch_norm_count_matches_keras(capsys):
    from course_utils.model import make_classifier

    model = make_classifier("rmsprop", batch_norm=True)
    assert model.count_params() == 257_834
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert_correct(exercise("regularising", "q1"), frozen, capsys)


def test_the_dropout_factor_matches_keras(capsys):
    kept = keras.ops.convert_to_numpy(layers.Dropout(0.25, seed=1)(np.ones((1, 1000), dtype="float32"), training=True))
    kept = kept[kept > 0]
    assert 600 < len(kept) < 900
    assert_correct(exercise("regularising", "q2"), float(kept.mean()), capsys)


def test_first_rmsprop_step_matches_keras(capsys):
    """The step Keras' RMSprop takes with the question's numbers is an answer the checker accepts."""
    weight = keras.Variable(np.array([1.0], dtype="float32"))
    keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9).apply([keras.ops.convert_to_tensor([0.5])], [weight])
    assert_correct(exercise("optimizers", "q1"), 1.0 - float(weight.numpy()[0]), capsys)


def test_label_smoothing_target_matches_keras(capsys):
    """The target Keras' smoothed cross-entropy uses for the right digit is an answer the checker accepts.
    With probability p on the right digit and q on each of the 9 others, the loss is
    -(t log p + (1 - t) log q): linear in the right digit's target t, so one loss gives t."""
    p, q = 0.55, 0.05
    onehot = np.eye(10, dtype="float32")[[3]]
    prediction = np.full((1, 10), q, dtype="float32")
    prediction[0, 3] = p
    loss = float(keras.losses.CategoricalCrossentropy(label_smoothing=0.1)(onehot, prediction))
    assert_correct(exercise("fast_track", "q2"), (loss + math.log(q)) / (math.log(q) - math.log(p)), capsys)


# --- 03 · Shapes ---------------------------------------------------------------------------------


def test_the_valid_shape_is_what_keras_computes(capsys):
    q2 = exercise("building", "q2")
    shape = solve(q2, "valid_shape", capsys, **NOTEBOOK)
    assert shape == ex03_building.VALID_SHAPE
    assert_correct(q2, shape, capsys)
    assert_correct(q2, (None, 3, 3, 64), capsys)
    assert_correct(q2, [3, 3, 64], capsys)


@pytest.mark.parametrize("answer", [
    tuple(np.int64(d) for d in (3, 3, 64)),  # what indexing a NumPy shape array gives
    np.array([3, 3, 64]),
    (None, np.int32(3), 3, np.int64(64)),
])
def test_integer_like_shapes_are_accepted(answer, capsys):
    assert_correct(exercise("building", "q2"), answer, capsys)


def test_a_tensorflow_shape_is_accepted(capsys):
    tf = pytest.importorskip("tensorflow")
    q2 = exercise("building", "q2")
    assert_correct(q2, tf.TensorShape([None, 3, 3, 64]), capsys)
    assert_not_quite(q2, tf.TensorShape([None, 7, 7, 64]), "padding='same'", capsys)


@pytest.mark.parametrize("answer, phrase", [
    ((7, 7, 64), "padding='same'"),
    ((4, 4, 64), "rounds down"),
    ((5, 5, 64), "after the second pooling"),
    ((3, 3, 32), "64 channels"),
    ((3, 3), "64 channels"),
    ("3x3x64", "a tuple of whole numbers"),
    ((3.0, 3.0, 64.0), "a tuple of whole numbers"),
    ((np.int64(7), np.int64(7), np.int64(64)), "padding='same'"),
])
def test_shape_mistakes_get_specific_feedback(answer, phrase, capsys):
    assert_not_quite(exercise("building", "q2"), answer, phrase, capsys)


# 05's figure and early-stopping questions: tests/test_lessons_04_06.py.


# --- 06 · Per-digit accuracy, confidence -----------------------------------------------------------


def confusion():
    matrix = np.zeros((10, 10), dtype=int)
    np.add.at(matrix, (LABELS, PREDICTED), 1)
    return matrix


def test_per_digit_solution_and_confidence(capsys):
    q1 = exercise("evaluating", "q1")
    answer = solve(q1, "per_digit_accuracy", capsys, **NOTEBOOK, matrix=confusion())
    assert answer[3] == answer[7] == 0 and answer[0] == 1
    assert_correct(q1, answer, capsys)
    wrong = PREDICTED != LABELS
    assert_correct(exercise("evaluating", "q2"), PROBABILITIES.max(axis=1)[wrong].mean(), capsys)


@pytest.mark.parametrize("answer, phrase", [
    (lambda m: 100 * m.diagonal() / m.sum(axis=1), "percentages"),
    (lambda m: m.diagonal() / np.maximum(m.sum(axis=0), 1), "divided by the columns"),
    (lambda m: m.diagonal(), "counts of correct answers"),
    (lambda m: m.diagonal()[:9] / m.sum(axis=1)[:9], "shape (10,)"),
])
def test_per_digit_mistakes_get_specific_feedback(answer, phrase, capsys):
    assert_not_quite(exercise("evaluating", "q1"), answer(confusion()), phrase, capsys)


@pytest.mark.parametrize("answer, phrase", [
    (PROBABILITIES.max(axis=1).mean(), "mean over all test digits"),
    (PROBABILITIES[PREDICTED != LABELS, LABELS[PREDICTED != LABELS]].mean(), "TRUE digit"),
    (PROBABILITIES.max(axis=1)[PREDICTED == LABELS].mean(), "gets right"),
])
def test_confidence_mistakes_get_specific_feedback(answer, phrase, capsys):
    assert_not_quite(exercise("evaluating", "q2"), answer, phrase, capsys)


@pytest.mark.parametrize("labels, message", [
    (np.eye(10)[LABELS], "pass the digit labels (labels_test), not the one-hot y_test"),
    (LABELS.astype("float32"), "whole numbers"),
    (LABELS[:-1], "shape (20,)"),
    (LABELS + 1, "digits 0 to 9"),
])
@pytest.mark.parametrize("factory", [
    lambda labels: ex06_evaluating.exercises(PROBABILITIES, labels),
    lambda labels: ex13_playground.exercises(PLAY_MODEL, PLAY_IMAGES[:20], labels),
], ids=["evaluating", "playground"])
def test_labels_that_are_not_digits_are_refused_with_advice(factory, labels, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        factory(labels)


# --- 10 · The schedule -----------------------------------------------------------------------------

CosineDecay = keras.optimizers.schedules.CosineDecay


def test_the_schedule_solution_is_accepted(capsys):
    q1 = exercise("fast_track", "q1")
    assert_correct(q1, solve(q1, "schedule", capsys, **NOTEBOOK), capsys)


class WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):
    """The question's schedule written out by hand: a straight line from 0.0003 to 0.003 over 100 steps, then
    half a cosine from 0.003 down to 0 over ``decay_steps`` steps."""

    def __init__(self, decay_steps: int = 900):
        self.decay_steps = decay_steps

    def __call__(self, step):
        if step < 100:
            return 0.0003 + (0.003 - 0.0003) * step / 100
        return 0.003 * 0.5 * (1 + math.cos(math.pi * min(step - 100, self.decay_steps) / self.decay_steps))


def test_a_hand_written_schedule_is_judged_like_keras_one(capsys):
    q1 = exercise("fast_track", "q1")
    assert_correct(q1, WarmupCosine(), capsys)
    assert_not_quite(q1, WarmupCosine(decay_steps=1000), "decay_steps counts the steps after", capsys)


@pytest.mark.parametrize("schedule, phrase", [
    (lambda: CosineDecay(0.003, decay_steps=1000), "there is no warm-up"),
    (lambda: CosineDecay(0.0003, decay_steps=1000, warmup_target=0.003, warmup_steps=100),
     "decay_steps counts the steps after the warm-up"),
    (lambda: keras.optimizers.schedules.ExponentialDecay(0.0003, 100, 0.9), "0.0015 at step 550"),
    (lambda: 0.003, "constant learning rate"),
])
def test_schedule_mistakes_get_specific_feedback(schedule, phrase, capsys):
    assert_not_quite(exercise("fast_track", "q1"), schedule(), phrase, capsys)


# --- 13 · The playground -------------------------------------------------------------------------


def test_playground_solutions_are_accepted(capsys):
    names = {"model": PLAY_MODEL, "images": PLAY_IMAGES, "labels": play_labels()}
    q1, q2 = exercise("playground", "q1"), exercise("playground", "q2")
    assert_correct(q1, solve(q1, "shifted_accuracy", capsys, **NOTEBOOK, **names), capsys)
    assert_correct(q2, solve(q2, "inverted_accuracy", capsys, **NOTEBOOK, **names), capsys)


def test_playground_mistakes_get_specific_feedback(capsys):
    def accuracy(images):
        return float((PLAY_MODEL.predict(images).argmax(axis=1) == play_labels()).mean())
    shifted = accuracy(np.roll(PLAY_IMAGES, 3, axis=1))  # q1 moves the digits down
    assert len({1.0, shifted, accuracy(np.roll(PLAY_IMAGES, 3, axis=2))}) == 3  # the data tells the mistakes apart
    q1, q2 = exercise("playground", "q1"), exercise("playground", "q2")
    assert_not_quite(q1, 1.0, "unmoved digits", capsys)
    assert_not_quite(q1, accuracy(np.roll(PLAY_IMAGES, 3, axis=2)), "moved to the RIGHT, not down", capsys)
    assert_not_quite(q1, 100 * shifted, "percentage", capsys)
    assert_not_quite(q2, 1.0, "unchanged digits", capsys)


# --- 01 and 02 · The real data ---------------------------------------------------------------------


@needs_mnist
def test_blank_fraction(mnist, capsys):
    (x_train, y_train), (x_test, _) = mnist
    q1 = exercise("loading", "q1")
    answer = solve(q1, "blank_fraction", capsys, **NOTEBOOK, x_train=x_train)
    assert 0.75 < answer < 0.85
    assert_feedback(q1, capsys, right=[answer], wrong=[
        (1 - answer, "fraction of pixels with ink"),
        (100 * answer, "percentage"),
        ((x_test == 0).mean(), "test set"),
        ((x_train == 255).mean(), "pixels at 255"),
    ])


@needs_mnist
def test_first_fives(mnist, capsys):
    (x_train, y_train), (x_test, y_test) = mnist
    q2 = exercise("loading", "q2")
    answer = solve(q2, "first_fives", capsys, **NOTEBOOK, x_train=x_train, y_train=y_train)
    assert_feedback(q2, capsys, right=[answer], wrong=[
        (x_train[:5], "not the first five fives; select with y_train == 5"),
        (prepare_images(answer), "prepared images"),
        (x_train[y_train == 5][:6], "you have 6 images"),
        (x_test[y_test == 5][:5], "fives from the test set"),
        (x_train[y_train == 5][1:6], "counts positions from 0"),
    ])


# 02's exercises 1 and 3, and 01's and 03's third: tests/test_lessons_01_03.py.
