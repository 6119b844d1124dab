"""The last exercise of 06 · Evaluating: the article's whole script, written by the student in one cell.

The notebook sets six names to ``...``, the student's cell replaces them, and the check looks at what the
script left behind::

    from course_utils.exercises import ex06_article
    article = ex06_article.exercises()
    EPOCHS = train_images = train_labels = model = history = test_accuracy = ...
    # the student's script, in one cell
    article.check(EPOCHS=EPOCHS, train_images=train_images, train_labels=train_labels, model=model,
                  history=history, test_accuracy=test_accuracy)

It judges the prepared data (a channel axis, pixels in [0, 1], one-hot labels), the network (the article's
eight layers, 257,162 parameters, the input shape), how it was compiled (categorical cross-entropy, a real
optimizer: rmsprop), the history's keys and length, and the test accuracy: it must be what the model scores
on the test images and what this network reaches after that many epochs. A script that stopped with an
error leaves some names at ``...``: the check says which, and what usually stops a script there.
Like every checker, it never prints the code of the answer (``solution()`` does) nor a trained figure.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from course_utils.exercises.core import as_number, mnist
from course_utils.i18n import N_, _, ngettext, pgettext
from course_utils.model import ARTICLE_PARAMETER_COUNT

#: The names the student's script leaves behind, in the order the script sets them.
NAMES = ("EPOCHS", "train_images", "train_labels", "model", "history", "test_accuracy")
#: The variable the notebook gives this exercise; messages refer to it.
NOTEBOOK_VARIABLE = "article"

#: The article's layers after its input: the type and the settings that decide what each one computes.
ARTICLE_LAYERS = (
    ("Conv2D", {"filters": 32, "kernel_size": (3, 3), "activation": "relu", "padding": "same"}),
    ("MaxPooling2D", {"pool_size": (2, 2)}),
    ("Conv2D", {"filters": 64, "kernel_size": (3, 3), "activation": "relu", "padding": "same"}),
    ("MaxPooling2D", {"pool_size": (2, 2)}),
    ("Conv2D", {"filters": 64, "kernel_size": (3, 3), "activation": "relu", "padding": "same"}),
    ("Flatten", {}),
    ("Dense", {"units": 64, "activation": "relu"}),
    ("Dense", {"units": 10, "activation": "softmax"}),
)
#: The least test accuracy a right script reaches after at least this many epochs on all the training images
#: (rmsprop, batch size 200, any seed): well below what it scores, so that only a broken script falls short.
#: Seeds 1-3 scored 97.2 to 98.3% after one epoch and 98.7 to 99.0% after two (docs/measurements.md).
MIN_ACCURACY = {1: 0.96, 2: 0.975, 5: 0.985}
#: At least this many training images: all 60,000, or 55,000 with 5,000 held out for validation (notebook 04).
MIN_TRAIN_IMAGES = 55_000
#: How far the student's test_accuracy may be from what the check measures (another batch size rounds apart).
ACCURACY_TOLERANCE = 0.002

CATEGORICAL = {"categorical_crossentropy", "CategoricalCrossentropy"}
#: What is wrong with each other loss (translated where it is said: ``_(OTHER_LOSSES[loss])``).
OTHER_LOSSES = {
    "sparse_categorical_crossentropy": N_("sparse categorical cross-entropy reads labels as plain digits"),
    "SparseCategoricalCrossentropy": N_("sparse categorical cross-entropy reads labels as plain digits"),
    "mse": N_("the mean squared error measures distances, not how probable the right digit is"),
    "mean_squared_error": N_("the mean squared error measures distances, not how probable the right digit is"),
    "MeanSquaredError": N_("the mean squared error measures distances, not how probable the right digit is"),
    "binary_crossentropy": N_("binary cross-entropy is for yes-or-no questions, one at a time"),
    "BinaryCrossentropy": N_("binary cross-entropy is for yes-or-no questions, one at a time"),
}
#: A layer of the student's network by its place among the layers of its kind ("your second Conv2D layer").
ORDINAL_LAYERS = (N_("your first {kind} layer"), N_("your second {kind} layer"), N_("your third {kind} layer"),
                  N_("your fourth {kind} layer"), N_("your fifth {kind} layer"), N_("your sixth {kind} layer"),
                  N_("your seventh {kind} layer"), N_("your eighth {kind} layer"), N_("your ninth {kind} layer"),
                  N_("your tenth {kind} layer"))
#: How many layers of a kind, in words ("two Conv2D"); from ten on, in digits.
COUNTED_LAYERS = (N_("no {kind}"), N_("one {kind}"), N_("two {kind}"), N_("three {kind}"), N_("four {kind}"),
                  N_("five {kind}"), N_("six {kind}"), N_("seven {kind}"), N_("eight {kind}"), N_("nine {kind}"))

SOLUTION = '''\
import os

import keras
import matplotlib.pyplot as plt
from keras import layers
from course_utils.data import load_mnist   # only for the offline copy of MNIST

EPOCHS = 1

# Load: the article's line, or the offline copy when MNIST_DATA_DIR names one (notebook 01).
if os.environ.get("MNIST_DATA_DIR"):
    (train_images, train_labels), (test_images, test_labels) = load_mnist()
else:
    (train_images, train_labels), (test_images, test_labels) = keras.datasets.mnist.load_data()

# Prepare: a channel axis, pixels in [0, 1], one-hot labels (notebook 02).
train_images = train_images.reshape((60000, 28, 28, 1))
train_images = train_images.astype("float32") / 255
test_images = test_images.reshape((10000, 28, 28, 1))
test_images = test_images.astype("float32") / 255
train_labels = keras.utils.to_categorical(train_labels)
test_labels = keras.utils.to_categorical(test_labels)

# The network (notebook 03): the article's layers, with keras.Input instead of input_shape=.
model = keras.Sequential()
model.add(keras.Input(shape=(28, 28, 1)))
model.add(layers.Conv2D(32, (3, 3), activation="relu", padding="same"))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation="relu", padding="same"))
model.add(layers.MaxPooling2D((2, 2)))
model.add(layers.Conv2D(64, (3, 3), activation="relu", padding="same"))
model.add(layers.Flatten())
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(10, activation="softmax"))

# Compile and train (notebook 04): a real optimizer's name, and EPOCHS passes over all 60,000 images.
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(train_images, train_labels, epochs=EPOCHS, batch_size=200)

# The figure (notebook 05): today's Keras names the accuracy "accuracy".
history_dict = history.history
loss = history_dict["loss"]
accuracy = history_dict["accuracy"]
epochs = range(1, len(loss) + 1)
plt.plot(epochs, loss, "bo", label="Training loss")
plt.plot(epochs, accuracy, "b", label="Training accuracy")
plt.title("Training loss and accuracy")
plt.xlabel("Epochs")
plt.ylabel("Loss, and accuracy (fraction right)")
plt.legend()
plt.show()

# Evaluate (notebook 06): the loss first, then the accuracy.
test_loss, test_accuracy = model.evaluate(test_images, test_labels)'''

HINT = N_("go down the tables above, one step at a time, and write each step in today's Keras: load; give the "
          "images a channel axis and scale them to [0, 1]; one-hot the labels; build the eight layers in a "
          "keras.Sequential that starts with keras.Input; compile with a real optimizer's name; fit for EPOCHS "
          "epochs; plot history.history; evaluate, keeping the accuracy as test_accuracy.")

CORRECT = N_("this is the article's script in today's Keras: the data prepared as in notebook 02, the network of "
             "notebook 03, compiled with rmsprop and categorical cross-entropy, trained, plotted and evaluated. "
             "Notebook 04 trained the same network for ten epochs: compare your test accuracy with the one near the "
             "top of this notebook.")


def _layer_name(index: int, kind: str) -> str:
    """The student's ``index``-th layer of type ``kind`` (from 0), in words: "your second Conv2D layer"."""
    if index < len(ORDINAL_LAYERS):
        return _(ORDINAL_LAYERS[index]).format(kind=kind)
    return _("your number {number} {kind} layer").format(kind=kind, number=index + 1)


def _count_words(types: list[str]) -> str:
    """``["Conv2D", "Conv2D", "Dense"]`` as "two Conv2D and one Dense" (in the order they first appear)."""
    counts = {name: types.count(name) for name in dict.fromkeys(types)}
    parts = [_(COUNTED_LAYERS[n]).format(kind=name) if n < len(COUNTED_LAYERS)
             else _("{count} {kind}").format(count=n, kind=name) for name, n in counts.items()]
    if len(parts) == 1:
        return parts[0]
    return _("{items} and {last}").format(items=pgettext("list separator", ", ").join(parts[:-1]), last=parts[-1])


def _name_of(thing: Any) -> str:
    """The name of a loss or optimizer as compile received it: a string, a class instance or a function."""
    if isinstance(thing, str):
        return thing
    return getattr(thing, "__name__", None) or type(thing).__name__


def _accuracy_needed(epochs: int, table: dict[int, float]) -> float:
    return max((value for least, value in table.items() if epochs >= least), default=0.0)


class ArticleExercise:
    """``check(...)`` judges what the student's script left behind; ``hint()`` and ``solution()`` help."""

    name = "article"

    def __init__(self, test_images: np.ndarray | None = None, test_labels: np.ndarray | None = None, *,
                 min_train_images: int = MIN_TRAIN_IMAGES, min_accuracy: dict[int, float] | None = None):
        self._test_set = (test_images, test_labels) if test_images is not None else None
        self.min_train_images = min_train_images
        self.min_accuracy = dict(MIN_ACCURACY if min_accuracy is None else min_accuracy)

    def __repr__(self) -> str:
        return _("article: the article's whole script in today's Keras, in one cell")

    # --- What the student calls -------------------------------------------------------------------------

    def check(self, **names: Any) -> None:
        """Print whether the script's names (``EPOCHS``, ``train_images``, ...) are right and, if not, what to fix."""
        print(self.feedback(**names))

    def hint(self) -> None:
        print(_("Hint: {hint}").format(hint=_(HINT)))

    def solution(self) -> None:
        print(_("Solution:\n{code}").format(code=SOLUTION))

    def feedback(self, **names: Any) -> str:
        """The message ``check`` prints: "Correct: ...", "Not quite: ..." or "Not answered yet: ..."."""
        unknown = sorted(set(names) - set(NAMES))
        if unknown:
            return _("Not quite: {message}").format(message=_("check() takes the names {names}, not {unknown}.").format(
                names=", ".join(NAMES), unknown=", ".join(unknown)))
        values = {name: names.get(name, ...) for name in NAMES}
        if all(value is Ellipsis for value in values.values()):
            return _("Not answered yet: write your script in the empty cell above and run it, then run this cell "
                     "again. It should set {names}. {variable}.hint() gives a hint.").format(
                names=", ".join(NAMES), variable=NOTEBOOK_VARIABLE)
        try:
            mistake = self._diagnose(values)
        except Exception as error:  # a checker must never crash a student's cell
            mistake = _("the check could not read what your script left behind ({error}). Make sure "
                        "each of the six names holds what the instructions say.").format(error=type(error).__name__)
        if mistake is None:
            return _("Correct: {message}").format(message=_(CORRECT))
        return _("Not quite: {message}").format(message=mistake)

    # --- The diagnosis, in the order the script sets the names ---------------------------------------------

    def _diagnose(self, values: dict) -> str | None:
        for step in (self._epochs, self._images, self._labels, self._model, self._history, self._accuracy):
            mistake = step(values)
            if mistake is not None:
                return mistake
        return None

    @staticmethod
    def _missing(name: str, why: str) -> str:
        return _("{name} is still ... (nothing): your script has not set it. If an error stopped your script, read "
                 "the last line of the error under your cell. {why}").format(name=name, why=why)

    def _epochs(self, values: dict) -> str | None:
        epochs = values["EPOCHS"]
        if epochs is Ellipsis:
            return self._missing("EPOCHS", _("Set EPOCHS to the number of epochs you train (1 or 2 take a minute or "
                                             "so), and pass it to model.fit."))
        number = as_number(epochs)
        if number is None or number != int(number) or number < 1:
            return _("EPOCHS should be a whole number of epochs, such as 1 or 2.")
        return None

    def _images(self, values: dict) -> str | None:
        images = values["train_images"]
        if images is Ellipsis:
            return self._missing("train_images", _("Keep the prepared training images under the name "
                                                   "train_images, as the article does."))
        if not isinstance(images, np.ndarray):
            return _("train_images should be a NumPy array of images, not a {kind}.").format(kind=type(images).__name__)
        if images.ndim == 3 and images.shape[1:] == (28, 28):
            return _("train_images has no channel axis: its shape is (number of images, 28, 28). The network reads "
                     "(number of images, 28, 28, 1), with one channel at the end. Keras quietly adds a missing axis "
                     "when the model starts with keras.Input, but the article reshapes the images itself: do it as "
                     "notebook 02 did.")
        if images.ndim == 2 and images.shape[1] == 28 * 28:
            return _("train_images holds each image as one row of 784 pixels. A Conv2D layer needs the 28x28 grid, "
                     "with a channel axis: (number of images, 28, 28, 1).")
        if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
            return _("train_images has shape {shape}; the network reads (number of images, 28, 28, 1): "
                     "28x28 pixels and one channel.").format(shape=images.shape)
        if len(images) < self.min_train_images:
            return _("train_images holds {count:,} images. The article trains on all 60,000 (notebook 04 "
                     "keeps 55,000 and holds out 5,000 for validation). Train on all of them: the accuracy check "
                     "below expects a network trained on the whole training set.").format(count=len(images))
        if images.dtype != np.float32:
            return _("train_images is of type {dtype}; the network computes in float32. Convert the pixels "
                     "to float32 before you scale them, as notebook 02 did.").format(dtype=images.dtype)
        if images.max() > 1.0 + 1e-6 or images.min() < 0.0:
            return _("the pixels of train_images go beyond [0, 1] (raw MNIST pixels go up to 255). Scale them to "
                     "[0, 1] as notebook 02 did.")
        if images.max() <= 1 / 255 + 1e-6:
            return _("the pixels of train_images are all 1/255 or less: they were divided by 255 twice. Scale the "
                     "raw pixels once.")
        return None

    def _labels(self, values: dict) -> str | None:
        labels, images = values["train_labels"], values["train_images"]
        if labels is Ellipsis:
            return self._missing("train_labels", _("Keep the one-hot training labels under the name train_labels."))
        if not isinstance(labels, np.ndarray):
            return _("train_labels should be a NumPy array, not a {kind}.").format(kind=type(labels).__name__)
        if labels.ndim == 1:
            return _("train_labels holds plain digits, one number per image. The article's loss, categorical "
                     "cross-entropy, compares the ten probabilities with a one-hot row of ten numbers: one-hot "
                     "encode the labels as notebook 02 did.")
        if labels.shape != (len(images), 10):
            return _("train_labels has shape {shape}; one-hot labels have one row of 10 per training image: "
                     "({count}, 10).").format(shape=labels.shape, count=len(images))
        if not (np.isin(labels, (0, 1)).all() and (labels.sum(axis=1) == 1).all()):
            return _("each row of train_labels should be one-hot: a single 1 (at the digit) and nine 0s.")
        return None

    def _model(self, values: dict) -> str | None:
        import keras

        model = values["model"]
        if model is Ellipsis:
            return self._missing("model", _("Name the network model, as the article does."))
        if not isinstance(model, keras.Model):
            return _("model should be the Keras model your script built with keras.Sequential, "
                     "not a {kind}.").format(kind=type(model).__name__)
        try:
            input_shape = tuple(model.input_shape)
        except (AttributeError, ValueError):
            return _("the model has no input shape: start the Sequential with keras.Input and the shape of one "
                     "image, so that Keras knows what the first layer reads. (If model.add stopped with \"expected "
                     "min_ndim=4, found ndim=3\", the shape you gave has no channel axis.)")
        if input_shape == (None, 28, 28):
            return _("the model's input has no channel axis: it reads images of shape (28, 28). Conv2D needs "
                     "(28, 28, 1), one channel, in keras.Input.")
        if input_shape != (None, 28, 28, 1):
            return _("the model reads images of shape {shape}; MNIST's prepared images are (28, 28, 1).").format(
                shape=input_shape[1:])
        mistake = self._layers(model)
        if mistake is not None:
            return mistake
        count = model.count_params()
        if count != ARTICLE_PARAMETER_COUNT:
            return _("the layers look like the article's, but the network has {count:,} parameters instead of "
                     "{article:,}. Did a layer get use_bias=False or another setting the article "
                     "does not have?").format(count=count, article=ARTICLE_PARAMETER_COUNT)
        return self._compiled(model)

    @staticmethod
    def _layers(model) -> str | None:
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
        types = [type(layer).__name__ for layer in layers]
        wanted = [kind for kind, _settings in ARTICLE_LAYERS]
        if types != wanted:
            theirs = _count_words(types) if types else _("no layers")
            if sorted(types) == sorted(wanted):
                return _("your network has the article's layers, but in another order. The article goes: "
                         "{layers}.").format(layers=", ".join(wanted))
            return _("your network has {theirs}. The article's has {article}: three convolutions, "
                     "each of the first two followed by a pooling, then Flatten and two Dense layers.").format(
                theirs=theirs, article=_count_words(wanted))
        for index, (layer, (kind, settings)) in enumerate(zip(layers, ARTICLE_LAYERS, strict=True)):
            config = layer.get_config()
            which = _layer_name(wanted[:index + 1].count(kind) - 1, kind)
            for key, value in settings.items():
                got = tuple(config[key]) if isinstance(config.get(key), list) else config.get(key)
                if got == value:
                    continue
                if key == "padding":
                    return _("{layer} uses padding '{got}' (Keras' default), so the image shrinks at every "
                             "convolution. The article keeps its size with padding 'same' (notebook 03).").format(
                        layer=which, got=got)
                if key == "activation":
                    if value == "softmax":
                        return _("{layer}, the output, has activation '{got}'. The output should turn ten scores "
                                 "into ten probabilities: that is softmax (notebook 03).").format(layer=which, got=got)
                    return _("{layer} has activation '{got}'. In the article every layer but the last applies "
                             "relu.").format(layer=which, got=got)
                if key == "filters":
                    return _("{layer} learns {got} filters; the article's learns {value}.").format(
                        layer=which, got=got, value=value)
                if key == "units":
                    return _("{layer} has {got} units; the article's has {value}.").format(
                        layer=which, got=got, value=value)
                if key == "kernel_size":
                    return _("{layer} uses {height}x{width} filters; the article's are 3x3.").format(
                        layer=which, height=got[0], width=got[1])
                return _("{layer} has {key} {got}; the article's has {value}.").format(
                    layer=which, key=key, got=got, value=value)
        return None

    @staticmethod
    def _compiled(model) -> str | None:
        if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
            return _("the model is not compiled. Did model.compile stop with an error? The article's "
                     "optimizer='optimizer' is not the name of any optimizer: give the name of a real one.")
        loss = _name_of(model.loss)
        if loss in OTHER_LOSSES:
            return _("the model is compiled with the loss '{loss}': {why}. The article one-hot "
                     "encodes the labels and uses categorical cross-entropy (notebook 03).").format(
                loss=loss, why=_(OTHER_LOSSES[loss]))
        if loss not in CATEGORICAL:
            return _("the model is compiled with the loss '{loss}'; the article uses categorical "
                     "cross-entropy.").format(loss=loss)
        optimizer = type(model.optimizer).__name__
        if optimizer != "RMSprop":
            return _("the model trains with {optimizer}. The article trains with rmsprop (notebook 04): write its "
                     "name as the optimizer.").format(optimizer=optimizer)
        return None

    @staticmethod
    def _history(values: dict) -> str | None:
        history, epochs = values["history"], values["EPOCHS"]
        if history is Ellipsis:
            return _("history is still ... (nothing): your script has not set it. If model.fit stopped with an "
                     "error, read its last line under your cell. Keep what model.fit returns as history.")
        record = getattr(history, "history", history)
        if not isinstance(record, dict):
            return _("history should be what model.fit returns (a History), not a {kind}.").format(
                kind=type(history).__name__)
        if "acc" in record:
            return _("your history names the accuracy 'acc': compile got metrics=['acc']. Today's Keras names each "
                     "metric as you write it; the course writes 'accuracy', and so reads history['accuracy'].")
        if "accuracy" not in record or "loss" not in record:
            return _("the history has no 'accuracy' or no 'loss': compile the model with metrics=['accuracy'], "
                     "then keep what model.fit returns as history.")
        trained = len(record["loss"])
        if trained != int(epochs):
            return _("history records {trained} epoch(s), but EPOCHS is {epochs}: train with epochs=EPOCHS, "
                     "on a freshly built model.").format(trained=trained, epochs=int(epochs))
        return None

    def _accuracy(self, values: dict) -> str | None:
        accuracy, epochs = values["test_accuracy"], int(values["EPOCHS"])
        if accuracy is Ellipsis:
            return _("test_accuracy is still ... (nothing): your script stopped before model.evaluate, or did not "
                     "keep its result. If the error under your cell is KeyError: 'acc', it comes from the article's "
                     "history_dict['acc']: today's Keras names that key 'accuracy'.")
        if isinstance(accuracy, (list, tuple)) and len(accuracy) == 2:
            return _("test_accuracy holds two numbers: model.evaluate returns the test loss and then the accuracy. "
                     "Keep the second one.")
        number = as_number(accuracy)
        if number is None:
            return _("test_accuracy should be one number, the accuracy model.evaluate returns, "
                     "not a {kind}.").format(kind=type(accuracy).__name__)
        measured, measured_loss = self._measure(values["model"])
        if number > 1 and math.isclose(number, 100 * measured, abs_tol=100 * ACCURACY_TOLERANCE):
            return _("test_accuracy is a percentage; keep the fraction model.evaluate returns, between 0 and 1.")
        if math.isclose(number, measured_loss, rel_tol=0.01, abs_tol=1e-4):
            return _("test_accuracy looks like the test loss: model.evaluate returns the loss first, then the "
                     "accuracy.")
        if not 0 <= number <= 1:
            return _("test_accuracy should be a fraction between 0 and 1, as model.evaluate returns it.")
        if not math.isclose(number, measured, abs_tol=ACCURACY_TOLERANCE):
            return _("test_accuracy is not what your model scores on the test images. Prepare test_images exactly "
                     "like train_images (channel axis, [0, 1]), one-hot test_labels, and evaluate on those.")
        needed = _accuracy_needed(epochs, self.min_accuracy)
        if number < needed:
            return ngettext("your network scores below {needed:.1%} on the test images, less than this network "
                            "reaches after {epochs} epoch. Check each step against the tables above.",
                            "your network scores below {needed:.1%} on the test images, less than this network "
                            "reaches after {epochs} epochs. Check each step against the tables above.",
                            epochs).format(needed=needed, epochs=epochs)
        return None

    def _measure(self, model) -> tuple[float, float]:
        """What ``model`` scores on the prepared test images, accuracy and loss: the check's own evaluation."""
        images, labels = self._test_set if self._test_set is not None else _mnist_test_set()
        probabilities = np.asarray(model.predict(images, batch_size=1000, verbose=0), dtype=np.float64)
        right = probabilities[np.arange(len(labels)), labels]
        loss = float(-np.log(np.clip(right, 1e-7, 1.0)).mean())  # categorical cross-entropy, as Keras clips it
        return float((probabilities.argmax(axis=1) == labels).mean()), loss


@functools.lru_cache(maxsize=1)
def _mnist_test_set() -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 test images prepared as in notebook 02, and their digits."""
    (_train_images, _train_labels), (images, labels) = mnist()
    return images.reshape((-1, 28, 28, 1)).astype("float32") / 255, labels


def exercises(test_images: np.ndarray | None = None, test_labels: np.ndarray | None = None, *,
              min_train_images: int = MIN_TRAIN_IMAGES,
              min_accuracy: dict[int, float] | None = None) -> ArticleExercise:
    """The article exercise. By default it measures on MNIST's test set and expects a network trained on the
    whole training set; the tests pass a small test set (prepared images, integer digits) and lower limits."""
    return ArticleExercise(test_images, test_labels, min_train_images=min_train_images, min_accuracy=min_accuracy)
