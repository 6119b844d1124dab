"""Exercises with checkers, after Kaggle's learntools: one factory per notebook.

A notebook binds its exercises once and checks each answer in its own cell::

    ex = notebook_02()
    x_test_prepared = ...          # the student replaces ... with an answer
    ex.q1.check(x_test_prepared)   # prints "Correct: ..." or "Not quite: ..." with what to fix

``check``, ``hint`` and ``solution`` print one short message and return None, so a cell shows only
that text. The messages never contain numbers that depend on training, so a notebook's output is
the same on every run. Checkers read public Keras and NumPy APIs only.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import keras
import numpy as np

from course_utils.data import load_mnist, prepare_images
from course_utils.model import ARTICLE_PARAMETER_COUNT

#: The name notebooks give the namespace a factory returns; messages refer to it (``ex.q1.hint()``).
NOTEBOOK_VARIABLE = "ex"

#: A diagnosis: None when the answer is right, a message naming the mistake, or "" for "no mistake
#: recognised", which makes ``check`` explain what was expected instead.
Diagnose = Callable[[Any], "str | None"]


@dataclass
class Exercise:
    """One question: ``check(answer)``, ``hint()`` and ``solution()`` each print one message."""

    name: str  # "q1"
    question: str
    diagnose: Diagnose
    correct: str  # why the right answer is right, one sentence
    expected: str  # what a right answer looks like, printed when no specific mistake is recognised
    hint_text: str
    solution_code: str

    def check(self, answer: Any) -> None:
        """Print whether ``answer`` is right and, if not, what to change."""
        print(self.feedback(answer))

    def feedback(self, answer: Any) -> str:
        """The message ``check`` prints: "Correct: ...", "Not quite: ..." or "Not answered yet: ..."."""
        if answer is Ellipsis:
            return (f"Not answered yet: replace ... with your answer, then run this cell again. "
                    f"{NOTEBOOK_VARIABLE}.{self.name}.hint() gives a hint.")
        try:
            mistake = self.diagnose(answer)
        except Exception:  # a checker must never crash a student's cell
            mistake = f"this answer (a {type(answer).__name__}) could not be checked. {self.expected}"
        if mistake is None:
            return f"Correct: {self.correct}"
        return f"Not quite: {mistake or self.expected}"

    def hint(self) -> None:
        """Print a hint."""
        print(f"Hint: {self.hint_text}")

    def solution(self) -> None:
        """Print the code of one correct answer."""
        print(f"Solution:\n{self.solution_code}")

    def __repr__(self) -> str:
        return f"{self.name}: {self.question}"


def _exercises(q1: Exercise, q2: Exercise) -> SimpleNamespace:
    return SimpleNamespace(q1=q1, q2=q2)


# --- Helpers shared by the checkers ----------------------------------------------------------------


def _number(answer: Any) -> float | None:
    """``answer`` as a float when it is one real number (int, float, NumPy or tensor scalar), else None."""
    if isinstance(answer, (str, bytes, bool, np.bool_)):
        return None
    try:
        value = np.asarray(answer)
    except Exception:
        return None
    if value.ndim != 0 or value.dtype == bool or not np.issubdtype(value.dtype, np.number):
        return None
    return float(value)


def _not_a_number(answer: Any) -> str:
    if isinstance(answer, str):
        return "this is text (it is in quotes); write the number itself, without quotes."
    return f"the answer should be a single number, not a {type(answer).__name__}."


def _close(value: float, target: float, tolerance: float) -> bool:
    return math.isclose(value, target, rel_tol=1e-6, abs_tol=tolerance)


#: A known mistake: a wrong value (or a test on the value) and what to say about it.
Mistake = tuple["float | Callable[[float], bool]", str]


def _number_diagnosis(expected: float, mistakes: Sequence[Mistake] = (), tolerance: float = 1e-9) -> Diagnose:
    """A diagnosis for a numeric answer: right within ``tolerance``, else the first matching mistake."""

    def diagnose(answer: Any) -> str | None:
        value = _number(answer)
        if value is None:
            return _not_a_number(answer)
        if _close(value, expected, tolerance):
            return None
        for wrong, message in mistakes:
            if wrong(value) if callable(wrong) else _close(value, wrong, tolerance):
                return message
        return ""

    return diagnose


def _array(answer: Any) -> np.ndarray | None:
    """``answer`` as a NumPy array when it is an array, list or tuple of numbers, else None."""
    if not isinstance(answer, (np.ndarray, list, tuple)):
        return None
    try:
        array = np.asarray(answer)
    except ValueError:  # a ragged list
        return None
    return array if np.issubdtype(array.dtype, np.number) else None


def _not_an_array(answer: Any) -> str:
    return f"the answer should be a NumPy array of numbers, not a {type(answer).__name__}."


@functools.lru_cache(maxsize=1)
def _mnist():
    """MNIST as load_mnist returns it, loaded once per session for the checkers."""
    return load_mnist()


def _number_exercise(name: str, question: str, answer: float, correct: str, hint: str, solution: str,
                     mistakes: Sequence[Mistake] = (), tolerance: float = 1e-9, expected: str | None = None) -> Exercise:
    """A question whose answer is one number."""
    return Exercise(name, question, _number_diagnosis(answer, mistakes, tolerance), correct,
                    expected or f"that is not the expected number. Hint: {hint}", hint, solution)


# --- 01 · The data ---------------------------------------------------------------------------------


def _diagnose_first_fives(answer: Any) -> str | None:
    images = _array(answer)
    if images is None:
        return _not_an_array(answer)
    (x_train, y_train), (x_test, y_test) = _mnist()
    expected = x_train[y_train == 5][:5]
    if images.ndim == 4 or np.issubdtype(images.dtype, np.floating):
        return ("these look like prepared images (float, or with a channel axis); take the raw uint8 "
                "images x_train from load_mnist.")
    if images.shape != expected.shape:
        if images.ndim == 3 and images.shape[1:] == (28, 28):
            return f"you have {len(images)} images; keep only the first five with [:5]."
        return f"the shape is {images.shape}; five 28x28 images have shape (5, 28, 28)."
    if np.array_equal(images, expected):
        return None
    if np.array_equal(images, x_train[:5]):
        return "those are the first five images, not the first five fives; select with y_train == 5."
    if np.array_equal(images, x_test[y_test == 5][:5]):
        return "those are fives from the test set; the question asks for the training set (x_train, y_train)."
    return ""


def notebook_01() -> SimpleNamespace:
    """Exercises of 01 · The data: counting labels, selecting images with a boolean mask."""
    return _exercises(
        _number_exercise(
            "q1", "How many images of the digit 7 are in the training set?", 6265,
            correct="y_train == 7 is True for each seven, and summing the Trues counts them.",
            hint="y_train == 7 gives an array of True/False; np.sum counts the Trues.",
            solution="sevens_in_training = int(np.sum(y_train == 7))",
            mistakes=[
                (1028, "that is the number of sevens in the test set; count them in y_train."),
                (6742, "that is the count of the digit 1, the most common digit; count the sevens."),
                (lambda v: 0 < v < 1, "that is a fraction; the question asks for a count of images."),
            ],
            expected="count the training labels equal to 7 (an integer, a bit over 6,000).",
        ),
        Exercise(
            "q2", "first_fives: the first 5 training images whose label is 5, shape (5, 28, 28)",
            _diagnose_first_fives,
            correct="the boolean mask y_train == 5 keeps the fives in their original order, and [:5] takes the first five.",
            expected="first_fives should be x_train[y_train == 5][:5]: raw uint8 images, shape (5, 28, 28).",
            hint_text="index x_train with the mask y_train == 5, then take [:5].",
            solution_code="first_fives = x_train[y_train == 5][:5]",
        ),
    )


# --- 02 · Preparing the data -----------------------------------------------------------------------


def _diagnose_prepared_test_images(answer: Any) -> str | None:
    images = _array(answer)
    if images is None:
        return _not_an_array(answer)
    (x_train, _), (x_test, _) = _mnist()
    if images.shape[:1] == (len(x_train),):
        return "these are the training images; prepare the test images x_test."
    if images.shape == x_test.shape:
        return ("the channel axis is missing: Conv2D expects (height, width, channels), so add it "
                "with [..., np.newaxis] to get shape (10000, 28, 28, 1).")
    if images.shape != x_test.shape + (1,):
        return f"the shape is {images.shape}; expected (10000, 28, 28, 1)."
    largest = float(images.max())
    if math.isclose(largest, 255 / 256, rel_tol=1e-6):
        return "the images were divided by 256; the largest pixel value is 255, so divide by 255 to make it 1.0."
    if largest > 1:
        return "the pixels are not scaled: divide by 255 so that the values lie in [0, 1]."
    if images.dtype != np.float32:
        return (f"the dtype is {images.dtype}, not float32: Keras computes in float32 (and float64 takes "
                "twice the memory); convert with .astype('float32').")
    expected = prepare_images(x_test)
    # Tolerance: x * (1 / 255) may differ from x / 255 in the last bit of a float32.
    if np.allclose(images, expected, rtol=0, atol=1e-6):
        return None
    if np.allclose(np.sort(images.sum(axis=(1, 2, 3))), np.sort(expected.sum(axis=(1, 2, 3))), rtol=0, atol=1e-3):
        return ("these are the test images, but in another order; keep the order of x_test so that "
                "image i still matches label y_test[i].")
    return ""


def _diagnose_encoded_test_labels(answer: Any) -> str | None:
    labels = _array(answer)
    if labels is None:
        return _not_an_array(answer)
    (_, y_train), (_, y_test) = _mnist()
    if labels.shape[:1] == (len(y_train),):
        return "these are the training labels; encode the test labels y_test."
    if labels.ndim == 1:
        return ("the labels are not one-hot: each label should become a row of 10 values, all 0 except a "
                "1 in the column of its digit. Use encode_labels(y_test).")
    if labels.shape[:1] != (len(y_test),) or labels.ndim != 2:
        return f"the shape is {labels.shape}; expected (10000, 10)."
    if labels.shape[1] != 10:
        return f"there are {labels.shape[1]} columns; MNIST has 10 classes (digits 0 to 9), so use 10 columns."
    if not (np.isin(labels, (0, 1)).all() and (labels.sum(axis=1) == 1).all()):
        return "the rows are not one-hot: each row should hold a single 1 and nine zeros."
    if not np.array_equal(labels.argmax(axis=1), y_test):
        return "the rows do not match y_test: row i should have its 1 in column y_test[i] (same order)."
    return None


def notebook_02() -> SimpleNamespace:
    """Exercises of 02 · Preparing the data: the test images and labels, ready for the network."""
    return _exercises(
        Exercise(
            "q1", "x_test_prepared: test images as (10000, 28, 28, 1) float32 in [0, 1]",
            _diagnose_prepared_test_images,
            correct="the images have the channel axis Conv2D needs and pixel values scaled to [0, 1].",
            expected="x_test_prepared should be prepare_images(x_test): x_test as float32, divided by 255, "
                     "with a channel axis, shape (10000, 28, 28, 1).",
            hint_text="convert x_test to float32, divide by 255, then add a channel axis with [..., np.newaxis].",
            solution_code="x_test_prepared = (x_test.astype('float32') / 255)[..., np.newaxis]",
        ),
        Exercise(
            "q2", "y_test_encoded: one-hot labels (10000, 10)",
            _diagnose_encoded_test_labels,
            correct="each row is all zeros except a 1 in the column of its digit, matching the 10 softmax outputs.",
            expected="y_test_encoded should be encode_labels(y_test): one row of 10 per test label, shape (10000, 10).",
            hint_text="encode_labels(y_test) (or keras.utils.to_categorical(y_test, 10)) one-hot encodes the labels.",
            solution_code="from course_utils.data import encode_labels\n\ny_test_encoded = encode_labels(y_test)",
        ),
    )


# --- 03 · Building the convnet ---------------------------------------------------------------------

#: The article's layer sequence, as make_classifier builds it.
ARTICLE_LAYERS = ("Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense", "Dense")
ARTICLE_FILTERS = [32, 64, 64]

ARTICLE_MODEL_CODE = """\
from keras import layers

my_model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, (3, 3), activation="relu", padding="same"),
    layers.MaxPooling2D((2, 2)),
    layers.Conv2D(64, (3, 3), activation="relu", padding="same"),
    layers.MaxPooling2D((2, 2)),
    layers.Conv2D(64, (3, 3), activation="relu", padding="same"),
    layers.Flatten(),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
my_model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])"""


def _diagnose_model(model: Any) -> str | None:
    if not isinstance(model, keras.Model):
        return f"the answer should be a keras.Model (for example keras.Sequential([...])), not a {type(model).__name__}."
    model_layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    kinds = tuple(type(layer).__name__ for layer in model_layers)
    if kinds != ARTICLE_LAYERS:
        return f"the layers are {', '.join(kinds) or 'none'}; the article's network has {', '.join(ARTICLE_LAYERS)}."
    if not model.built or tuple(model.input_shape[1:]) != (28, 28, 1):
        return "the input shape should be (28, 28, 1): start with keras.Input(shape=(28, 28, 1))."
    configs = [layer.get_config() for layer in model_layers]
    convs = [c for c in configs if "filters" in c]
    if any(c["padding"] != "same" for c in convs):
        return (f"a convolution has padding='valid', which trims 2 pixels per 3x3 convolution (28x28 becomes "
                f"26x26), so later layers see smaller maps and the model has {model.count_params():,} parameters "
                f"instead of {ARTICLE_PARAMETER_COUNT:,}. Pass padding='same' to every Conv2D.")
    if [c["filters"] for c in convs] != ARTICLE_FILTERS:
        return f"the convolutions have {[c['filters'] for c in convs]} filters; the article uses {ARTICLE_FILTERS}."
    if any(tuple(c["kernel_size"]) != (3, 3) for c in convs):
        return "every Conv2D should have a 3x3 kernel."
    if any(tuple(c["pool_size"]) != (2, 2) for c in configs if "pool_size" in c):
        return "every MaxPooling2D should have a 2x2 pool."
    hidden, output = configs[-2:]
    if any(c["activation"] != "relu" for c in [*convs, hidden]):
        return "the convolutions and the hidden Dense layer should use activation='relu'."
    if output["units"] != 10 or hidden["units"] != 64:
        return "the Dense layers should have 64 units, then 10 (one per digit)."
    if output["activation"] != "softmax":
        return ("the softmax is missing: the last layer needs activation='softmax' so that its 10 outputs "
                "are probabilities that sum to 1.")
    if model.count_params() != ARTICLE_PARAMETER_COUNT:
        return f"the model has {model.count_params():,} parameters; the article's has {ARTICLE_PARAMETER_COUNT:,}."
    if getattr(model, "optimizer", None) is None:
        return ("the model is not compiled yet: call model.compile(optimizer='rmsprop', "
                "loss='categorical_crossentropy', metrics=['accuracy']).")
    if "sparse" in str(getattr(model, "loss", "")).lower():
        return "the labels are one-hot, so the loss should be categorical_crossentropy, not the sparse one."
    return None


def notebook_03() -> SimpleNamespace:
    """Exercises of 03 · Building the convnet: counting parameters, building the network yourself."""
    return _exercises(
        _number_exercise(
            "q1", "How many parameters does the first Conv2D layer have?", 320,
            correct="32 filters of 3x3x1 weights make 288, plus one bias per filter: 320.",
            hint="each of the 32 filters has a 3x3 weight for its one input channel, plus one bias.",
            solution="first_conv_parameters = 32 * (3 * 3 * 1) + 32",
            mistakes=[
                (288, "that counts the weights only; each filter also has a bias."),
                (896, "that is for 3 colour channels (RGB); MNIST images have 1 channel."),
                (18496, "that is the second Conv2D; the first sees 1 input channel, not 32."),
            ],
        ),
        Exercise(
            "q2", "my_model: build the article's network yourself",
            _diagnose_model,
            correct=f"same layers, same settings, {ARTICLE_PARAMETER_COUNT:,} parameters, compiled: the article's network.",
            expected="my_model should be the article's compiled network (see make_classifier in course_utils.model).",
            hint_text="three 3x3 Conv2D layers (32, 64, 64 filters, padding='same', relu) with 2x2 max pooling "
                      "after the first two, then Flatten, Dense(64, relu), Dense(10, softmax); then compile.",
            solution_code=ARTICLE_MODEL_CODE,
        ),
    )


# --- 04 · Training ---------------------------------------------------------------------------------


def notebook_04() -> SimpleNamespace:
    """Exercises of 04 · Training: steps per epoch and in the whole run."""
    return _exercises(
        _number_exercise(
            "q1", "How many weight updates (steps) does one epoch take with batch size 200 on the 55,000 training images?",
            275,
            correct="each step uses one batch, and 55,000 / 200 = 275 batches cover the training images once.",
            hint="one step per batch: divide the number of training images by the batch size.",
            solution="steps_per_epoch = 55_000 // 200",
            mistakes=[
                (300, "that uses 60,000 images, but we hold 5,000 out for validation: 55,000 remain."),
                (lambda v: v in (274, 276), "off by one: 55,000 / 200 divides exactly."),
            ],
        ),
        _number_exercise(
            "q2", "How many steps in the whole 10-epoch training?", 2750,
            correct="10 epochs of 275 steps each make 2,750 weight updates.",
            hint="multiply the steps of one epoch by the number of epochs.",
            solution="total_steps = 10 * (55_000 // 200)",
            mistakes=[
                (275, "that is one epoch; the training runs 10 epochs."),
                (3000, "that uses 60,000 images; 5,000 are held out for validation, so 55,000 are trained on."),
            ],
        ),
    )


# --- 05 · Reading the training curves --------------------------------------------------------------


def _check_history(history: dict) -> None:
    missing = {"loss", "accuracy", "val_loss", "val_accuracy"} - set(history)
    if missing:
        raise ValueError(f"history lacks {sorted(missing)}: pass the dict train() or load_or_train() returned.")


def notebook_05(history: dict) -> SimpleNamespace:
    """Exercises of 05 · Reading the training curves, about ``history`` (Keras-style dict of lists)."""
    _check_history(history)
    best_epoch = int(np.argmin(history["val_loss"])) + 1
    gap = history["accuracy"][-1] - history["val_accuracy"][-1]
    return _exercises(
        _number_exercise(
            "q1", "In which epoch (counting from 1) was the validation loss lowest?", best_epoch,
            correct="that is the epoch to keep if you choose the model by its validation loss.",
            hint="min(history['val_loss']) is the lowest value and .index(...) its position, counting from 0.",
            solution="best_epoch = history['val_loss'].index(min(history['val_loss'])) + 1",
            mistakes=[
                (best_epoch - 1, "positions in a list count from 0 but epochs count from 1: add 1."),
                (int(np.argmin(history["loss"])) + 1, "that is where the training loss is lowest; look at val_loss."),
                (int(np.argmax(history["val_loss"])) + 1, "that is where the validation loss is highest; look for the lowest."),
            ],
            expected="find the lowest value of history['val_loss'] and give its epoch, counting from 1.",
        ),
        _number_exercise(
            "q2", "The gap: final training accuracy minus final validation accuracy", gap,
            correct="the training accuracy is measured on images the model learned from; the gap shows how much "
                    "better it does on those than on unseen ones.",
            hint="the last element of a list is [-1]: history['accuracy'][-1] minus history['val_accuracy'][-1].",
            solution="accuracy_gap = history['accuracy'][-1] - history['val_accuracy'][-1]",
            mistakes=[
                (-gap, "the sign is reversed: subtract the validation accuracy from the training accuracy."),
                (history["accuracy"][0] - history["val_accuracy"][0], "that is the first epoch; use the final one ([-1])."),
                (100 * gap, "that is in percent; give the gap as a fraction, like the accuracies in history."),
            ],
            tolerance=1e-6,
            expected="subtract the last validation accuracy from the last training accuracy (a small fraction).",
        ),
    )


# --- 06 · Evaluating on the test set ---------------------------------------------------------------


def notebook_06(probabilities: np.ndarray, true_labels: np.ndarray) -> SimpleNamespace:
    """Exercises of 06 · Evaluating: counting mistakes, finding the hardest digit."""
    probabilities, true_labels = np.asarray(probabilities), np.asarray(true_labels)
    if probabilities.shape != (len(true_labels), 10):
        raise ValueError(f"probabilities should have shape ({len(true_labels)}, 10), got {probabilities.shape}.")
    predicted = probabilities.argmax(axis=1)
    wrong = predicted != true_labels
    errors = int(wrong.sum())
    per_true = np.bincount(true_labels[wrong], minlength=10)
    per_predicted = np.bincount(predicted[wrong], minlength=10)
    return _exercises(
        _number_exercise(
            "q1", "How many test digits does the model misclassify?", errors,
            correct="a digit is misclassified when the most probable class differs from its label.",
            hint="probabilities.argmax(axis=1) gives the predicted digits; compare them with the true labels and count.",
            solution="misclassified_count = int((probabilities.argmax(axis=1) != data.labels_test).sum())",
            mistakes=[
                (lambda v: 0 < v < 1, "that is a fraction (the error rate); the question asks for a number of digits."),
                (len(true_labels) - errors, "that is the number of correctly classified digits; count the wrong ones."),
            ],
            expected="count the test digits whose predicted class (argmax) differs from the true label.",
        ),
        _number_exercise(
            "q2", "Which true digit is misclassified most often?", int(per_true.argmax()),
            correct="among the mistakes, this true digit is the most frequent: the largest row of errors in the confusion matrix.",
            hint="count the mistakes per TRUE digit: the rows of the confusion matrix, without its diagonal.",
            solution=("from course_utils.evaluation import confusion_matrix\n\n"
                      "matrix = confusion_matrix(data.labels_test, probabilities.argmax(axis=1))\n"
                      "errors_per_digit = matrix.sum(axis=1) - matrix.diagonal()  # each row without its diagonal\n"
                      "hardest_digit = int(errors_per_digit.argmax())"),
            mistakes=[(int(per_predicted.argmax()),
                       "that is the digit most often PREDICTED wrongly (a column of the confusion matrix); "
                       "count the mistakes per true digit (a row).")],
            expected="count the misclassified test digits per true label and give the digit (0-9) with the most.",
        ),
    )


# --- 07 · Dropout and batch normalisation ----------------------------------------------------------


def notebook_07() -> SimpleNamespace:
    """Exercises of 07 · Regularising: which layers add parameters."""
    return _exercises(
        _number_exercise(
            "q1", "How many parameters does make_classifier(dropout=0.25) have?", ARTICLE_PARAMETER_COUNT,
            correct="Dropout has no weights: it only zeroes random activations during training.",
            hint="Dropout has no weights to learn; does it change the parameter count at all?",
            solution="from course_utils.model import make_classifier\n\n"
                     "dropout_parameters = make_classifier(dropout=0.25).count_params()",
            expected="Dropout layers have no weights, so they add no parameters to the article's network.",
        ),
        _number_exercise(
            "q2", "How many parameters (trainable and not) does a BatchNormalization layer over 32 channels have?",
            128,
            correct="4 per channel: the trainable gamma and beta plus the moving mean and variance.",
            hint="per channel it learns a scale and a shift, and it also keeps two moving statistics.",
            solution="batch_norm_parameters = 4 * 32  # gamma, beta, moving mean, moving variance",
            mistakes=[
                (64, "that is only the trainable gamma and beta; count the moving mean and variance too."),
                (32, "that is one per channel; batch normalisation keeps 4 numbers per channel."),
            ],
        ),
    )


# --- 08 · Optimizers -------------------------------------------------------------------------------


def _diagnose_sgd(optimizer: Any) -> str | None:
    if isinstance(optimizer, str):
        return ("a string like 'sgd' names the optimizer with its defaults (no momentum); create it "
                "with keras.optimizers.SGD(...) to set the learning rate and momentum.")
    if isinstance(optimizer, keras.optimizers.Optimizer) and not isinstance(optimizer, keras.optimizers.SGD):
        return f"this is {type(optimizer).__name__}, not SGD: use keras.optimizers.SGD."
    if not isinstance(optimizer, keras.optimizers.SGD):
        return f"the answer should be a Keras optimizer, not a {type(optimizer).__name__}."
    config = optimizer.get_config()
    rate = _number(config["learning_rate"])
    if rate is None or not _close(rate, 0.01, 0):
        return "the learning rate should be the constant 0.01: pass learning_rate=0.01."
    if config["momentum"] == 0:
        return "the momentum is missing (0 by default): pass momentum=0.9."
    if not _close(config["momentum"], 0.9, 0):
        return "the momentum should be 0.9."
    return None


def notebook_08() -> SimpleNamespace:
    """Exercises of 08 · Optimizers: creating SGD with momentum, Adam's default learning rate."""
    return _exercises(
        Exercise(
            "q1", "Create an SGD optimizer with learning rate 0.01 and momentum 0.9",
            _diagnose_sgd,
            correct="SGD with momentum keeps a running average of past gradients, which damps zig-zags and speeds it up.",
            expected="my_optimizer should be keras.optimizers.SGD(learning_rate=0.01, momentum=0.9).",
            hint_text="keras.optimizers.SGD takes learning_rate and momentum as keyword arguments.",
            solution_code="my_optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)",
        ),
        _number_exercise(
            "q2", "What is Adam's default learning rate in Keras?", 0.001,
            correct="Keras' Adam starts with learning_rate=0.001 unless you pass another.",
            hint="create keras.optimizers.Adam() and look at its get_config()['learning_rate'].",
            solution="adam_default_learning_rate = 0.001  # keras.optimizers.Adam().get_config()['learning_rate'] (stored as float32)",
            mistakes=[
                (0.01, "that is SGD's default; Adam's is ten times smaller."),
                (0.1, "that is far too large for Adam; its default is a hundred times smaller."),
            ],
            tolerance=0,
            expected="Adam's default learning rate is 0.001; check with keras.optimizers.Adam().get_config().",
        ),
    )


# --- 09 · Learning-rate schedules ------------------------------------------------------------------

SCHEDULE_STEPS = (0, 50, 100, 550, 1000)


def warmup_cosine(step: float, start: float, peak: float, warmup_steps: int, decay_steps: int) -> float:
    """The learning rate of a linear warm-up from ``start`` to ``peak``, then a cosine decay to 0."""
    if step < warmup_steps:
        return start + (peak - start) * step / warmup_steps
    progress = min(step - warmup_steps, decay_steps) / decay_steps
    return peak * 0.5 * (1 + math.cos(math.pi * progress))


def _matches(values: Sequence[float], targets: Sequence[float]) -> bool:
    return all(_close(v, t, 1e-7) for v, t in zip(values, targets))


def _diagnose_schedule(schedule: Any) -> str | None:
    if _number(schedule) is not None:
        return "a number is a constant learning rate; create a keras.optimizers.schedules.CosineDecay."
    if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        return f"the answer should be a learning-rate schedule (CosineDecay), not a {type(schedule).__name__}."
    values = [float(np.asarray(schedule(step))) for step in SCHEDULE_STEPS]
    if _matches(values, [warmup_cosine(s, 0.0003, 0.003, 100, 900) for s in SCHEDULE_STEPS]):
        return None
    if _close(values[0], 0.003, 1e-7):
        return ("there is no warm-up: schedule(0) is already the peak 0.003. Start at initial_learning_rate=0.0003 "
                "and pass warmup_target=0.003, warmup_steps=100.")
    if _matches(values, [warmup_cosine(s, 0.0003, 0.003, 100, 1000) for s in SCHEDULE_STEPS]):
        return ("the rate ends above 0 at step 1000: decay_steps counts the steps after the warm-up, so it "
                "should be 900, not 1000.")
    return ""


def notebook_09() -> SimpleNamespace:
    """Exercises of 09 · Learning-rate schedules: a warm-up cosine schedule, steps per epoch."""
    return _exercises(
        Exercise(
            "q1", "Create keras.optimizers.schedules.CosineDecay that warms up linearly from 0.0003 to 0.003 "
                  "over 100 steps, then decays to 0 over the next 900 steps",
            _diagnose_schedule,
            correct="the rate climbs from 0.0003 to 0.003 in 100 steps, then follows a half cosine down to 0 at step 1000.",
            expected="the schedule should give 0.0003 at step 0, 0.003 at step 100, 0.0015 at step 550 and 0 at step 1000.",
            hint_text="CosineDecay(initial_learning_rate, decay_steps, warmup_target=..., warmup_steps=...): "
                      "the warm-up starts at initial_learning_rate.",
            solution_code=("schedule = keras.optimizers.schedules.CosineDecay(\n"
                           "    initial_learning_rate=0.0003, decay_steps=900, warmup_target=0.003, warmup_steps=100)"),
        ),
        _number_exercise(
            "q2", "How many steps is one epoch with batch size 512 on 55,000 images?", 108,
            correct="107 full batches leave 216 images, and that last partial batch is one more step: 108.",
            hint="55,000 / 512 does not divide exactly, and Keras also trains on the last, smaller batch.",
            solution="steps = -(-55_000 // 512)  # ceiling division, like math.ceil(55_000 / 512)",
            mistakes=[
                (107, "that rounds down; the last, partial batch of 216 images is a step too."),
                (lambda v: v in (117, 118), "that uses 60,000 images; 5,000 are held out for validation."),
            ],
        ),
    )
