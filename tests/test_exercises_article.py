"""course_utils.exercises.ex06_article: the article's whole script, written by a student in one cell.

Each script here runs as the student's cell does: in a namespace where the notebook set the six names to
``...``, stopping at its first error and leaving behind what it had set. The right script is the exercise's
own solution; the wrong ones are that script with one beginner's mistake. They train the real network on
a small slice of MNIST (2,000 training and 500 test images), which is why the check is built with lower
limits here than in the notebook. Scripts whose mistake shows before model.fit stop there, to keep the
file fast: the check judges the names in the order the script sets them, so a later step cannot change
its verdict.
"""

from __future__ import annotations

import os

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.exercises import ex06_article
from course_utils.exercises.core import mnist
from tests.helpers import assert_hint_and_solution_print_text

needs_mnist = pytest.mark.skipif(not os.environ.get("MNIST_DATA_DIR"), reason="MNIST_DATA_DIR is not set")

N_TRAIN, N_TEST = 2000, 500
#: Below what one epoch on 2,000 images reaches (10 steps, about half right), above an untrained network's 10%.
SMALL_LIMITS = {1: 0.3}


@pytest.fixture(scope="module", autouse=True)
def figures_off_screen():
    matplotlib.use("Agg")


def small_mnist():
    """The first 2,000 training and 500 test images of MNIST, raw, as load_data returns them."""
    (x_train, y_train), (x_test, y_test) = mnist()
    return (x_train[:N_TRAIN], y_train[:N_TRAIN]), (x_test[:N_TEST], y_test[:N_TEST])


@pytest.fixture()
def small_loaders(monkeypatch):
    """Both loaders the solution may call (the article's and the offline copy's) give the small slice."""
    import keras

    import course_utils.data

    monkeypatch.setattr(keras.datasets.mnist, "load_data", small_mnist)
    monkeypatch.setattr(course_utils.data, "load_mnist", lambda *args, **kwargs: small_mnist())


def checker() -> ex06_article.ArticleExercise:
    """The check as the notebook makes it, but measuring on the small test slice, with the small limits."""
    (_, _), (x_test, y_test) = small_mnist()
    return ex06_article.exercises(x_test.reshape((-1, 28, 28, 1)).astype("float32") / 255, y_test,
                                  min_train_images=N_TRAIN, min_accuracy=SMALL_LIMITS)


def solution_script() -> str:
    """The code solution() prints, for the small slice: 2,000 and 500 images instead of 60,000 and 10,000."""
    script = ex06_article.SOLUTION.replace("(60000, 28, 28, 1)", f"({N_TRAIN}, 28, 28, 1)")
    return script.replace("(10000, 28, 28, 1)", f"({N_TEST}, 28, 28, 1)")


def with_mistake(old: str, new: str, *, stop_after: str | None = None) -> str:
    """The solution with one change (``old`` must occur in it), cut after the line with ``stop_after`` if given."""
    script = solution_script()
    assert old in script, old
    return cut(script.replace(old, new, 1), stop_after)


def cut(script: str, stop_after: str | None) -> str:
    """``script`` up to the end of the first line that contains ``stop_after`` (all of it for None)."""
    if stop_after is None:
        return script
    lines = script.splitlines(keepends=True)
    end = next(index for index, line in enumerate(lines) if stop_after in line)
    return "".join(lines[:end + 1])


def run_cell(script: str) -> dict:
    """Run ``script`` as a notebook cell after the notebook's set-up: the six names are ``...`` until the
    script sets them, and an error stops the script where it happens. Returns the six names."""
    namespace = {name: ... for name in ex06_article.NAMES}
    try:
        exec(script, namespace)
    except Exception:  # the student sees the error under the cell; the names set before it stay
        pass
    finally:
        plt.close("all")
    return {name: namespace[name] for name in ex06_article.NAMES}


@pytest.fixture(scope="module")
def right_names():
    """What the exercise's own solution leaves behind, trained on the small slice."""
    import keras

    import course_utils.data

    patch = pytest.MonkeyPatch()
    patch.setattr(keras.datasets.mnist, "load_data", small_mnist)
    patch.setattr(course_utils.data, "load_mnist", lambda *args, **kwargs: small_mnist())
    try:
        keras.utils.set_random_seed(1)
        names = run_cell(solution_script())
    finally:
        patch.undo()
    assert all(value is not Ellipsis for value in names.values()), names
    return names


def verdict(names: dict) -> str:
    return checker().feedback(**names)


def assert_not_quite(names: dict, *phrases: str) -> str:
    out = verdict(names)
    assert out.startswith("Not quite: "), out
    for phrase in phrases:
        assert phrase in out, out
    return out


# --- Before the student writes anything ------------------------------------------------------------


def test_the_empty_cell_is_not_answered_yet(capsys):
    exercise = ex06_article.exercises()
    exercise.check(**{name: ... for name in ex06_article.NAMES})
    out = capsys.readouterr().out
    assert out.startswith("Not answered yet: write your script in the empty cell above"), out
    assert "article.hint()" in out
    assert all(name in out for name in ex06_article.NAMES)


def test_hint_and_solution_print_text(capsys):
    assert_hint_and_solution_print_text(ex06_article.exercises(), capsys)


def test_an_unknown_name_is_named():
    out = ex06_article.exercises().feedback(EPOCHS=1, images=np.zeros(3))
    assert out.startswith("Not quite: ") and "not images" in out


def test_the_solution_writes_the_articles_lines_in_todays_keras():
    script = ex06_article.SOLUTION
    assert "optimizer='optimizer'" not in script and "history_dict['acc']" not in script
    for line in ('history_dict["accuracy"]', 'model.add(keras.Input(shape=(28, 28, 1)))',
                 'optimizer="rmsprop"', 'loss="categorical_crossentropy"', "epochs=EPOCHS, batch_size=200",
                 "model.evaluate(test_images, test_labels)", '"bo"', "keras.datasets.mnist.load_data()"):
        assert line in script, line
    import_lines = [line for line in script.splitlines() if "course_utils" in line]
    assert import_lines == ["from course_utils.data import load_mnist   # only for the offline copy of MNIST"]


# --- The right script -------------------------------------------------------------------------------


@needs_mnist
def test_the_solution_passes(right_names):
    out = verdict(right_names)
    assert out.startswith("Correct: "), out


@needs_mnist
def test_the_history_object_or_its_dict_both_pass(right_names):
    assert verdict({**right_names, "history": right_names["history"].history}).startswith("Correct: ")


@needs_mnist
def test_the_notebook_limits_refuse_a_small_slice(right_names):
    out = ex06_article.exercises().feedback(**right_names)
    assert out.startswith("Not quite: ") and "2,000 images" in out and "all 60,000" in out, out


# --- The data ----------------------------------------------------------------------------------------


@needs_mnist
def test_no_channel_axis(small_loaders):
    names = run_cell(with_mistake("train_images = train_images.reshape((2000, 28, 28, 1))\n", ""))
    assert names["history"] is not Ellipsis  # Keras added the axis itself: only the check notices
    assert_not_quite(names, "no channel axis", "(number of images, 28, 28, 1)")


@needs_mnist
def test_an_input_without_channel_axis(small_loaders):
    names = run_cell(with_mistake("keras.Input(shape=(28, 28, 1))", "keras.Input(shape=(28, 28))"))
    assert_not_quite(names, "no channel axis")


@needs_mnist
@pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`")  # the article's way, which Keras warns about
def test_the_articles_input_shape_argument_without_channel_axis(small_loaders):
    names = run_cell(with_mistake(
        'model.add(keras.Input(shape=(28, 28, 1)))\nmodel.add(layers.Conv2D(32, (3, 3), activation="relu", '
        'padding="same"))',
        'model.add(layers.Conv2D(32, (3, 3), activation="relu", padding="same", input_shape=(28, 28)))'))
    assert_not_quite(names, "no input shape", "no channel axis")


@needs_mnist
def test_pixels_not_scaled(small_loaders):
    names = run_cell(with_mistake('train_images = train_images.astype("float32") / 255',
                                  'train_images = train_images.astype("float32")', stop_after="model.compile("))
    assert_not_quite(names, "beyond [0, 1]")


@needs_mnist
def test_pixels_still_bytes(small_loaders):
    names = run_cell(with_mistake('train_images = train_images.astype("float32") / 255', "",
                                  stop_after="model.compile("))
    assert_not_quite(names, "uint8", "float32")


@needs_mnist
def test_labels_not_one_hot(small_loaders):
    names = run_cell(with_mistake("train_labels = keras.utils.to_categorical(train_labels)\n", ""))
    assert names["history"] is Ellipsis  # categorical cross-entropy refused the digits
    assert_not_quite(names, "plain digits", "one-hot")


# --- The network and how it is compiled ----------------------------------------------------------------

COMPILE = "model.compile("


@needs_mnist
@pytest.mark.parametrize("old, new, phrases", [
    ('model.add(layers.MaxPooling2D((2, 2)))\n', "", ("one MaxPooling2D", "two MaxPooling2D")),
    ('model.add(layers.Dense(64, activation="relu"))\n', "", ("one Dense", "two Dense")),
    ('model.add(layers.Flatten())\n', 'model.add(layers.Flatten())\nmodel.add(layers.Dropout(0.5))\n',
     ("one Dropout",)),
    ('layers.Conv2D(64, (3, 3), activation="relu", padding="same")', 'layers.Conv2D(32, (3, 3), activation="relu", '
     'padding="same")', ("second Conv2D layer learns 32 filters",)),
    ('layers.Conv2D(32, (3, 3), activation="relu", padding="same")', 'layers.Conv2D(32, (3, 3), activation="relu")',
     ("padding 'valid'", "padding 'same'")),
    ('layers.Conv2D(32, (3, 3), activation="relu", padding="same")', 'layers.Conv2D(32, (5, 5), activation="relu", '
     'padding="same")', ("5x5 filters",)),
    ('layers.Conv2D(32, (3, 3), activation="relu", padding="same")', 'layers.Conv2D(32, (3, 3), padding="same")',
     ("activation 'linear'", "relu")),
    ('layers.Dense(10, activation="softmax")', 'layers.Dense(10)', ("the output", "softmax")),
    ('layers.Dense(10, activation="softmax")', 'layers.Dense(9, activation="softmax")', ("9 units",)),
    ('layers.Dense(64, activation="relu")', 'layers.Dense(64, activation="relu", use_bias=False)',
     ("257,098 parameters instead of 257,162",)),
], ids=["missing pooling", "missing dense", "extra dropout", "32 filters", "valid padding", "5x5 kernel",
        "no relu", "no softmax", "9 outputs", "no bias"])
def test_network_mistakes(small_loaders, old, new, phrases):
    assert_not_quite(run_cell(with_mistake(old, new, stop_after=COMPILE)), *phrases)


@needs_mnist
def test_the_articles_optimizer_string(small_loaders):
    names = run_cell(with_mistake('optimizer="rmsprop"', "optimizer='optimizer'"))
    assert names["history"] is Ellipsis  # compile failed, so the script stopped there
    assert_not_quite(names, "not compiled", "optimizer='optimizer' is not the name of any optimizer")


@needs_mnist
def test_another_optimizer(small_loaders):
    names = run_cell(with_mistake('optimizer="rmsprop"', 'optimizer="adam"', stop_after=COMPILE))
    assert_not_quite(names, "trains with Adam", "rmsprop")


@needs_mnist
@pytest.mark.parametrize("loss, phrase", [
    ('"mse"', "mean squared error"),
    ("keras.losses.MeanSquaredError()", "mean squared error"),
    ('"sparse_categorical_crossentropy"', "plain digits"),
    ('"binary_crossentropy"', "yes-or-no"),
    ('"kl_divergence"', "'kl_divergence'"),
])
def test_wrong_losses(small_loaders, loss, phrase):
    names = run_cell(with_mistake('loss="categorical_crossentropy"', f"loss={loss}", stop_after=COMPILE))
    assert_not_quite(names, phrase, "categorical cross-entropy")


@needs_mnist
def test_categorical_cross_entropy_as_a_class_or_a_function_is_accepted(small_loaders):
    for loss in ("keras.losses.CategoricalCrossentropy()", "keras.losses.categorical_crossentropy"):
        names = run_cell(with_mistake('loss="categorical_crossentropy"', f"loss={loss}", stop_after=COMPILE))
        out = verdict(names)
        assert out.startswith("Not quite: history is still ..."), out  # past the model: it is right


# --- The history and the test accuracy ------------------------------------------------------------------


@needs_mnist
def test_the_articles_acc_key(small_loaders):
    names = run_cell(with_mistake('history_dict["accuracy"]', "history_dict['acc']"))
    assert names["history"] is not Ellipsis and names["test_accuracy"] is Ellipsis  # the KeyError stopped it
    assert_not_quite(names, "KeyError: 'acc'", "'accuracy'")


@needs_mnist
def test_metrics_written_acc(small_loaders):
    script = with_mistake('metrics=["accuracy"]', "metrics=['acc']").replace('history_dict["accuracy"]',
                                                                           "history_dict['acc']")
    names = run_cell(script)
    assert names["test_accuracy"] is not Ellipsis  # the script ran to the end
    assert_not_quite(names, "'acc'", "metrics=['acc']")


@needs_mnist
def test_fit_not_kept(small_loaders):
    names = run_cell(with_mistake("history = model.fit(", "model.fit("))
    assert_not_quite(names, "history is still ...", "model.fit returns")


@needs_mnist
@pytest.mark.parametrize("change, phrases", [
    (lambda names: {"EPOCHS": 2}, ("records 1 epoch(s), but EPOCHS is 2",)),
    (lambda names: {"EPOCHS": 0}, ("whole number",)),
    (lambda names: {"EPOCHS": "1"}, ("whole number",)),
    (lambda names: {"test_accuracy": 100 * names["test_accuracy"]}, ("percentage",)),
    (lambda names: {"test_accuracy": names["model"].evaluate(*evaluation_data(), verbose=0)},
     ("two numbers", "Keep the second")),
    (lambda names: {"test_accuracy": names["model"].evaluate(*evaluation_data(), verbose=0)[0]},
     ("looks like the test loss",)),
    (lambda names: {"test_accuracy": names["test_accuracy"] - 0.05}, ("not what your model scores",)),
    (lambda names: {"test_accuracy": ...}, ("test_accuracy is still ...",)),
    (lambda names: {"train_labels": names["train_labels"][:, :9]}, ("(2000, 10)",)),
    (lambda names: {"model": "model"}, ("not a str",)),
])
def test_what_the_script_left_behind_is_judged(right_names, change, phrases):
    assert_not_quite({**right_names, **change(right_names)}, *phrases)


def evaluation_data():
    (_, _), (x_test, y_test) = small_mnist()
    import keras

    return x_test.reshape((-1, 28, 28, 1)).astype("float32") / 255, keras.utils.to_categorical(y_test, 10)


@needs_mnist
def test_an_untrained_network_scores_too_low(small_loaders):
    names = run_cell(cut(solution_script(), COMPILE))  # built and compiled, never trained
    images, labels = evaluation_data()
    test_accuracy = names["model"].evaluate(images, labels, verbose=0)[1]
    names.update(history={"loss": [2.3], "accuracy": [0.1]}, test_accuracy=test_accuracy)
    assert_not_quite(names, "scores below 30.0%", "after 1 epoch")


def test_a_check_that_cannot_read_a_name_says_so_kindly():
    import keras

    class Broken(keras.Model):
        @property
        def input_shape(self):
            raise RuntimeError("broken")

    names = {"EPOCHS": 1, "train_images": np.full((N_TRAIN, 28, 28, 1), 0.5, "float32"),
             "train_labels": np.eye(10)[np.arange(N_TRAIN) % 10], "model": Broken()}
    out = checker().feedback(**names)
    assert out.startswith("Not quite: the check could not read") and "RuntimeError" in out, out
