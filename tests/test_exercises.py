"""course_utils.exercises: every checker accepts its own solution and names each common mistake.

No model is trained here: the answers are numbers, tiny synthetic arrays, optimizers, schedules and
untrained models. Checks against the real MNIST arrays run only where MNIST_DATA_DIR is set.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import keras
import numpy as np
import pytest
from keras import layers

from course_utils import exercises
from course_utils.data import encode_labels, prepare_images
from course_utils.model import make_classifier

REAL_DATA = os.environ.get("MNIST_DATA_DIR")
needs_mnist = pytest.mark.skipif(not REAL_DATA, reason="MNIST_DATA_DIR is not set")

# A made-up history whose best, worst and training-best epochs all differ: best val_loss in epoch 3.
HISTORY = {
    "loss": [0.5, 0.3, 0.2, 0.1, 0.05],
    "accuracy": [0.80, 0.90, 0.95, 0.97, 0.99],
    "val_loss": [0.45, 0.25, 0.2, 0.22, 0.3],
    "val_accuracy": [0.85, 0.90, 0.93, 0.94, 0.95],
}
# 20 test digits, 4 wrong: true 3 is mistaken 3 times (as 8, 8, 5), true 7 once (as 8). So the true
# digit most often wrong is 3, while the digit most often predicted wrongly is 8.
LABELS = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 3, 0, 1, 2, 4, 5, 6, 8, 9])
PREDICTED = np.array([0, 1, 2, 8, 4, 5, 6, 8, 8, 9, 8, 5, 0, 1, 2, 4, 5, 6, 8, 9])
PROBABILITIES = np.full((20, 10), 0.01) + 0.9 * np.eye(10)[PREDICTED]
TEST_DATA = SimpleNamespace(labels_test=LABELS)  # notebook 06 passes data.labels_test

FACTORIES = {
    "01": exercises.notebook_01,
    "02": exercises.notebook_02,
    "03": exercises.notebook_03,
    "04": exercises.notebook_04,
    "05": lambda: exercises.notebook_05(HISTORY),
    "06": lambda: exercises.notebook_06(PROBABILITIES, LABELS),
    "07": exercises.notebook_07,
    "08": exercises.notebook_08,
    "09": exercises.notebook_09,
}
ALL = [(notebook, q) for notebook in FACTORIES for q in ("q1", "q2")]


def exercise(notebook: str, q: str) -> exercises.Exercise:
    return getattr(FACTORIES[notebook](), q)


def feedback(notebook: str, q: str, answer, capsys) -> str:
    """What check(answer) prints; check itself must return None."""
    assert exercise(notebook, q).check(answer) is None
    return capsys.readouterr().out


def assert_not_quite(notebook: str, q: str, answer, phrase: str, capsys) -> None:
    """check(answer) must reject the answer with feedback that contains ``phrase``."""
    out = feedback(notebook, q, answer, capsys)
    assert out.startswith("Not quite: ") and phrase in out, out


def solve(notebook: str, q: str, variable: str, capsys, **names):
    """Run the code solution() prints with only ``names`` defined (what the notebook has); return ``variable``."""
    exercise(notebook, q).solution()
    code = capsys.readouterr().out.removeprefix("Solution:\n")
    namespace = dict(names)
    exec(code, namespace)
    return namespace[variable]


def convnet(padding: str = "same", filters: tuple = (32, 64, 64), output: str = "softmax", compile: bool = True):
    """An untrained article-like network with one setting changed."""
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(filters[0], (3, 3), activation="relu", padding=padding),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(filters[1], (3, 3), activation="relu", padding=padding),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(filters[2], (3, 3), activation="relu", padding=padding),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation=output),
    ])
    if compile:
        model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    return model


@pytest.fixture(scope="module")
def mnist():
    return exercises._mnist()


# --- Every exercise --------------------------------------------------------------------------------


@pytest.mark.parametrize("notebook, q", ALL)
def test_placeholder_is_reported_kindly(notebook, q, capsys):
    out = feedback(notebook, q, ..., capsys)
    assert out.startswith("Not answered yet: replace ... with your answer")
    assert f"ex.{q}.hint()" in out


@pytest.mark.parametrize("notebook, q", ALL)
def test_hint_and_solution_print_text(notebook, q, capsys):
    ex = exercise(notebook, q)
    assert ex.hint() is None
    assert len(capsys.readouterr().out.strip()) > len("Hint: ")
    assert ex.solution() is None
    assert len(capsys.readouterr().out.strip()) > len("Solution:")


@pytest.mark.parametrize("notebook, q", ALL)
@pytest.mark.parametrize("answer", [None, object(), "text", {"a": 1}])
def test_a_wrong_type_is_reported_not_raised(notebook, q, answer, capsys):
    out = feedback(notebook, q, answer, capsys)
    assert out.startswith("Not quite: ")
    assert "0x" not in out  # no object ids: the message is the same on every run


# --- Number questions ------------------------------------------------------------------------------

RIGHT_NUMBERS = [
    ("01", "q1", 6265), ("01", "q1", np.int64(6265)), ("01", "q1", 6265.0),
    ("03", "q1", 320),
    ("04", "q1", 275), ("04", "q2", 2750),
    ("05", "q1", 3), ("05", "q2", 0.04 + 5e-7),
    ("06", "q1", 4), ("06", "q2", 3),
    ("07", "q1", 257_162), ("07", "q2", 128),
    ("08", "q2", 0.001), ("08", "q2", keras.optimizers.Adam().get_config()["learning_rate"]),
    ("09", "q2", 108),
]

WRONG_NUMBERS = [
    ("01", "q1", 1028, "sevens in the test set"),
    ("01", "q1", 6742, "the digit 1"),
    ("01", "q1", 0.1044, "fraction"),
    ("01", "q1", "6265", "without quotes"),
    ("01", "q1", 7000, "count the training labels equal to 7"),
    ("03", "q1", 288, "also has a bias"),
    ("03", "q1", 896, "3 colour channels"),
    ("04", "q1", 300, "hold 5,000 out for validation"),
    ("04", "q1", 274, "off by one"),
    ("04", "q1", 276, "off by one"),
    ("04", "q2", 275, "that is one epoch"),
    ("04", "q2", 3000, "uses 60,000 images"),
    ("05", "q1", 2, "epochs count from 1"),
    ("05", "q1", 5, "training loss is lowest"),
    ("05", "q1", 1, "validation loss is highest"),
    ("05", "q2", -0.04, "sign is reversed"),
    ("05", "q2", -0.05, "first epoch"),
    ("05", "q2", 4.0, "percent"),
    ("06", "q1", 0.2, "fraction (the error rate)"),
    ("06", "q1", 16, "correctly classified"),
    ("06", "q2", 8, "PREDICTED wrongly"),
    ("07", "q1", 300_000, "Dropout layers have no weights"),
    ("07", "q2", 64, "moving mean and variance"),
    ("07", "q2", 32, "4 numbers per channel"),
    ("08", "q2", 0.01, "SGD's default"),
    ("08", "q2", 0.1, "hundred times smaller"),
    ("09", "q2", 107, "rounds down"),
    ("09", "q2", 117, "60,000 images"),
    ("09", "q2", 118, "60,000 images"),
]


@pytest.mark.parametrize("notebook, q, answer", RIGHT_NUMBERS)
def test_right_numbers_are_accepted(notebook, q, answer, capsys):
    assert feedback(notebook, q, answer, capsys).startswith("Correct: ")


@pytest.mark.parametrize("notebook, q, answer, phrase", WRONG_NUMBERS)
def test_wrong_numbers_get_specific_feedback(notebook, q, answer, phrase, capsys):
    assert_not_quite(notebook, q, answer, phrase, capsys)


@pytest.mark.parametrize("notebook, q, variable, names", [
    ("03", "q1", "first_conv_parameters", {}),
    ("04", "q1", "steps_per_epoch", {}),
    ("04", "q2", "total_steps", {}),
    ("05", "q1", "best_epoch", {"history": HISTORY}),
    ("05", "q2", "accuracy_gap", {"history": HISTORY}),
    ("06", "q1", "misclassified_count", {"probabilities": PROBABILITIES, "data": TEST_DATA}),
    ("06", "q2", "hardest_digit", {"probabilities": PROBABILITIES, "data": TEST_DATA}),
    ("07", "q1", "dropout_parameters", {}),
    ("07", "q2", "batch_norm_parameters", {}),
    ("08", "q2", "adam_default_learning_rate", {}),
    ("09", "q2", "steps", {}),
])
def test_solutions_are_accepted(notebook, q, variable, names, capsys):
    answer = solve(notebook, q, variable, capsys, **names)
    assert feedback(notebook, q, answer, capsys).startswith("Correct: ")


def test_batch_norm_count_matches_keras():
    layer_model = keras.Sequential([keras.Input((4, 4, 32)), layers.BatchNormalization()])
    assert layer_model.count_params() == 128


def test_synthetic_data_is_what_the_tests_assume():
    errors = PREDICTED != LABELS
    assert errors.sum() == 4
    assert np.bincount(LABELS[errors]).argmax() == 3 and np.bincount(PREDICTED[errors]).argmax() == 8


# --- 03 · The model --------------------------------------------------------------------------------


def test_the_article_model_is_accepted(capsys):
    assert feedback("03", "q2", make_classifier(), capsys).startswith("Correct: ")
    assert feedback("03", "q2", solve("03", "q2", "my_model", capsys, keras=keras), capsys).startswith("Correct: ")


@pytest.mark.parametrize("model, phrase", [
    (lambda: convnet(padding="valid"), "padding='valid', which trims 2 pixels"),
    (lambda: convnet(output="linear"), "softmax is missing"),
    (lambda: convnet(filters=(16, 32, 32)), "the article uses [32, 64, 64]"),
    (lambda: convnet(compile=False), "not compiled"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(10)]), "the layers are"),
    (lambda: "model", "should be a keras.Model"),
])
def test_model_mistakes_get_specific_feedback(model, phrase, capsys):
    assert_not_quite("03", "q2", model(), phrase, capsys)


def test_valid_padding_message_compares_parameter_counts(capsys):
    out = feedback("03", "q2", convnet(padding="valid"), capsys)
    assert "93,322 parameters instead of 257,162" in out


# --- 08 · The optimizer, 09 · the schedule ---------------------------------------------------------

SGD = keras.optimizers.SGD
CosineDecay = keras.optimizers.schedules.CosineDecay


def test_the_sgd_solution_is_accepted(capsys):
    assert feedback("08", "q1", solve("08", "q1", "my_optimizer", capsys, keras=keras), capsys).startswith("Correct: ")


@pytest.mark.parametrize("optimizer, phrase", [
    (lambda: SGD(learning_rate=0.01), "momentum is missing"),
    (lambda: SGD(learning_rate=0.1, momentum=0.9), "learning rate should be the constant 0.01"),
    (lambda: keras.optimizers.Adam(learning_rate=0.01), "this is Adam, not SGD"),
    (lambda: keras.optimizers.RMSprop(), "this is RMSprop, not SGD"),
    (lambda: "sgd", "a string like 'sgd'"),
    (lambda: 0.01, "should be a Keras optimizer"),
])
def test_optimizer_mistakes_get_specific_feedback(optimizer, phrase, capsys):
    assert_not_quite("08", "q1", optimizer(), phrase, capsys)


def test_the_schedule_solution_is_accepted(capsys):
    assert feedback("09", "q1", solve("09", "q1", "schedule", capsys, keras=keras), capsys).startswith("Correct: ")


def test_the_expected_schedule_matches_keras():
    schedule = CosineDecay(0.0003, decay_steps=900, warmup_target=0.003, warmup_steps=100)
    for step in exercises.SCHEDULE_STEPS:
        expected = exercises.warmup_cosine(step, 0.0003, 0.003, 100, 900)
        assert float(schedule(step)) == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize("schedule, phrase", [
    (lambda: CosineDecay(0.003, decay_steps=1000), "there is no warm-up"),
    (lambda: CosineDecay(0.0003, decay_steps=1000, warmup_target=0.003, warmup_steps=100),
     "decay_steps counts the steps after the warm-up"),
    (lambda: keras.optimizers.schedules.ExponentialDecay(0.0003, 100, 0.9), "0.0015 at step 550"),
    (lambda: 0.003, "constant learning rate"),
])
def test_schedule_mistakes_get_specific_feedback(schedule, phrase, capsys):
    assert_not_quite("09", "q1", schedule(), phrase, capsys)


# --- 01 and 02 · The real data ---------------------------------------------------------------------


@needs_mnist
def test_first_fives(mnist, capsys):
    (x_train, y_train), (x_test, y_test) = mnist
    answer = solve("01", "q2", "first_fives", capsys, np=np, x_train=x_train, y_train=y_train)
    assert feedback("01", "q2", answer, capsys).startswith("Correct: ")
    assert feedback("01", "q1", solve("01", "q1", "sevens_in_training", capsys, np=np, y_train=y_train), capsys).startswith("Correct: ")
    mistakes = [
        (x_train[:5], "not the first five fives; select with y_train == 5"),
        (prepare_images(answer), "prepared images"),
        (x_train[y_train == 5][:6], "you have 6 images"),
        (x_test[y_test == 5][:5], "fives from the test set"),
        (x_train[y_train == 5][1:6], "x_train[y_train == 5][:5]"),
    ]
    for wrong, phrase in mistakes:
        assert_not_quite("01", "q2", wrong, phrase, capsys)


@needs_mnist
def test_prepared_test_images(mnist, capsys):
    (x_train, _), (x_test, y_test) = mnist
    answer = solve("02", "q1", "x_test_prepared", capsys, np=np, x_test=x_test)
    for right in (answer, prepare_images(x_test), x_test[..., None].astype("float32") * (1 / 255)):
        assert feedback("02", "q1", right, capsys).startswith("Correct: ")
    mistakes = [
        (answer[..., 0], "the channel axis is missing"),
        (x_test[..., None] / np.float32(256), "divided by 256"),
        (x_test[..., None].astype("float32"), "not scaled"),
        (x_test[..., None] / 255, "not float32"),
        (answer[::-1], "in another order"),
        (x_train[..., None], "these are the training images"),
        (prepare_images(x_train[:10000]), "should be prepare_images(x_test)"),
    ]
    for wrong, phrase in mistakes:
        assert_not_quite("02", "q1", wrong, phrase, capsys)


@needs_mnist
def test_encoded_test_labels(mnist, capsys):
    (_, y_train), (_, y_test) = mnist
    answer = solve("02", "q2", "y_test_encoded", capsys, y_test=y_test)
    for right in (answer, keras.utils.to_categorical(y_test, 10)):
        assert feedback("02", "q2", right, capsys).startswith("Correct: ")
    mistakes = [
        (y_test, "not one-hot"),
        (keras.utils.to_categorical(y_test, 11), "11 columns"),
        (encode_labels(np.roll(y_test, 1)), "do not match y_test"),
        (encode_labels(y_train), "these are the training labels"),
        (encode_labels(y_test) * 2, "the rows are not one-hot"),
    ]
    for wrong, phrase in mistakes:
        assert_not_quite("02", "q2", wrong, phrase, capsys)
