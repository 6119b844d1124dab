"""Training recipes and the training function.

A ``Recipe`` holds everything that decides the weights a training run ends with: the model options,
the optimizer, the schedule, the budget and the seed. ``train`` is notebook 04's ``model.fit`` call
with the recipe's settings. Trained models are kept by ``course_utils.cache``, keyed by ``Recipe.key()``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import math
import random
import time
from dataclasses import dataclass

import keras
import numpy as np

from course_utils import SEED
from course_utils.data import TRAIN_SIZE, PreparedData, load_prepared

#: The optimizers a recipe may name. Their default learning rates are Keras' own.
OPTIMIZERS = {"rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}
SCHEDULES = ("constant", "warmup_cosine")
#: The networks a recipe may name: the article's convnet, notebook 11's dense network, the keras-io example's.
ARCHITECTURES = ("convnet", "dense", "keras_io")
#: The version of the training code. A cache key holds it beside the recipe and the compiled model's
#: configuration, so a change to ``train`` (or to the data it feeds ``fit``) that the model's
#: configuration cannot show must bump it by hand: then no model trained by the old code is served.
TRAINING_VERSION = 1


def default_learning_rate(optimizer: str) -> float:
    """Keras' default learning rate for an optimizer name, read from its signature (e.g. 0.001 for adam)."""
    return inspect.signature(optimizer_class(optimizer)).parameters["learning_rate"].default


def optimizer_class(optimizer: str) -> type:
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}: use one of {', '.join(map(repr, OPTIMIZERS))}")
    return OPTIMIZERS[optimizer]


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a trained model. The defaults are the article's recipe."""

    architecture: str = "convnet"  # or "dense", "keras_io"
    optimizer: str = "rmsprop"
    learning_rate: float | None = None  # None: the optimizer's Keras default
    momentum: float = 0.0  # for "sgd"
    schedule: str = "constant"  # or "warmup_cosine"
    warmup_epochs: float = 0.0
    epochs: int = 10
    batch_size: int = 200
    batch_norm: bool = False
    dropout: float = 0.0
    augment: bool = False  # random shifts, rotations and zooms of the training images (notebook 11)
    label_smoothing: float = 0.0
    train_size: int | None = None  # None: all 55,000 training images left after validation
    seed: int = SEED

    def __post_init__(self):
        optimizer_class(self.optimizer)
        if self.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.schedule!r}: use one of {', '.join(map(repr, SCHEDULES))}")
        if self.architecture not in ARCHITECTURES:
            names = ", ".join(map(repr, ARCHITECTURES))
            raise ValueError(f"unknown architecture {self.architecture!r}: use one of {names}")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs and batch_size are counts of at least 1, got epochs={self.epochs}, "
                             f"batch_size={self.batch_size}")
        if self.train_size is not None and not 1 <= self.train_size <= TRAIN_SIZE:
            raise ValueError(f"train_size is a number of training images from 1 to {TRAIN_SIZE:,}, or None for "
                             f"all of them; got {self.train_size}")
        if not 0 <= self.warmup_epochs < self.epochs:
            raise ValueError(f"warmup_epochs must leave some training after the warm-up: from 0 to less than "
                             f"epochs={self.epochs}, got {self.warmup_epochs}")
        if self.architecture != "convnet" and (self.batch_norm or self.dropout or self.augment):
            raise ValueError(f"batch_norm, dropout and augment are options of the convnet; the {self.architecture!r} "
                             "network is used as published: leave them at their defaults")

    def identity(self) -> dict:
        """The recipe's fields, as its cache record names them."""
        return dataclasses.asdict(self)

    def key(self) -> str:
        """A short name for the trained model, e.g. ``rmsprop-e10-b200-s42-3f9a1c2b``.

        Its digest covers everything that decides the weights: the recipe's fields, the compiled model's
        configuration (layers, optimizer, loss: so a change to the network code changes it) and
        ``TRAINING_VERSION``. Recipes whose models the change leaves alone keep their keys.
        """
        code = {"recipe": self.identity(), "model": self.model_config(), "training_version": TRAINING_VERSION}
        digest = hashlib.sha256(json.dumps(code, sort_keys=True, default=repr).encode()).hexdigest()[:8]
        return f"{self.optimizer}-e{self.epochs}-b{self.batch_size}-s{self.seed}-{digest}"

    def model_config(self) -> dict:
        """The configuration of this recipe's compiled model (layers, optimizer, loss), without the
        names Keras numbers per session. Building it leaves every random generator as it was."""
        python_state, numpy_state = random.getstate(), np.random.get_state()
        try:
            model = self._build()
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)
        config = {"model": model.get_config(), "optimizer": model.optimizer.get_config(),
                  "loss": keras.losses.serialize(model.loss)}
        return _without_names(config)

    def steps_per_epoch(self) -> int:
        return math.ceil((self.train_size or TRAIN_SIZE) / self.batch_size)

    def learning_rate_schedule(self):
        """The learning rate: a number, or a Keras schedule of the training step."""
        rate = default_learning_rate(self.optimizer) if self.learning_rate is None else self.learning_rate
        if self.schedule == "constant":
            return rate
        total = self.epochs * self.steps_per_epoch()
        warmup = round(self.warmup_epochs * self.steps_per_epoch())
        # Warm up linearly from a tenth of the peak rate, then follow a cosine down to zero.
        return keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=rate / 10, warmup_target=rate, warmup_steps=warmup, decay_steps=total - warmup
        )

    def make_optimizer(self) -> keras.optimizers.Optimizer:
        """The Keras optimizer this recipe asks for, with its learning rate or schedule."""
        options = {"momentum": self.momentum} if self.optimizer == "sgd" else {}
        return optimizer_class(self.optimizer)(learning_rate=self.learning_rate_schedule(), **options)

    def make_model(self):
        """A freshly seeded, compiled model for this recipe."""
        keras.backend.clear_session()
        keras.utils.set_random_seed(self.seed)
        return self._build()

    def _build(self):
        from course_utils import model

        if self.architecture == "dense":
            return model.make_dense_classifier(self.make_optimizer(), label_smoothing=self.label_smoothing)
        if self.architecture == "keras_io":
            return model.make_keras_io_classifier(self.make_optimizer(), label_smoothing=self.label_smoothing)
        return model.make_classifier(self.make_optimizer(), batch_norm=self.batch_norm, dropout=self.dropout,
                                     label_smoothing=self.label_smoothing, augment=self.augment)


def _without_names(config):
    """``config`` with every ``"name"`` entry removed, at any depth."""
    if isinstance(config, dict):
        return {key: _without_names(value) for key, value in config.items() if key != "name"}
    if isinstance(config, list):
        return [_without_names(value) for value in config]
    return config


#: The article's recipe: rmsprop, 10 epochs, batch size 200.
ARTICLE = Recipe()


#: The fast track (notebook 10): the same network, 2 epochs of Adam with a short warm-up and cosine
#: decay to a peak of 0.01, batch size 128 and label smoothing. Its peak was chosen on the validation
#: set (notebook 10's sweep, three seeds at the full budget).
FAST_TRACK = Recipe(optimizer="adam", learning_rate=0.01, schedule="warmup_cosine", warmup_epochs=0.3,
                    epochs=2, batch_size=128, label_smoothing=0.1, seed=1)

#: The shortest run to 99%: the fast track's settings over a single epoch (the warm-up and the cosine
#: decay fit in it). Chosen on the validation set among peaks 0.01 and 0.02 and batch sizes 128 and 256.
ONE_EPOCH = dataclasses.replace(FAST_TRACK, epochs=1, warmup_epochs=0.2)

#: The best recipe (notebook 11): the fast track (its schedule, peak and label smoothing) with augmentation,
#: over 8 epochs at the article's batch size. Chosen on the validation set in three rounds; notebook 11's
#: "A best recipe" gives the candidates and why this one was kept.
BEST = dataclasses.replace(FAST_TRACK, epochs=8, batch_size=ARTICLE.batch_size, augment=True)

#: The peer in ``make bench``: the keras-io example "Simple MNIST convnet" as it publishes it (its own
#: small network, Adam at Keras' default rate, batch size 128, 15 epochs, the plain cross-entropy).
KERAS_IO = Recipe(architecture="keras_io", optimizer="adam", epochs=15, batch_size=128, seed=1)


class EpochTimer(keras.callbacks.Callback):
    """A Keras callback that records how many seconds each epoch takes, in ``seconds``."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def train(recipe: Recipe, data: PreparedData | None = None, *, verbose: int = 2, callbacks=()) -> tuple:
    """Train a fresh model with ``recipe``: notebook 04's ``model.fit``; return ``(model, history)``.

    ``history`` is a plain dict of per-epoch lists (loss, accuracy, val_loss, val_accuracy, and the
    seconds each epoch took).
    """
    from course_utils import progress

    data = data or load_prepared()
    n = recipe.train_size or len(data.x_train)
    model = recipe.make_model()
    timer = EpochTimer()
    fit = model.fit(
        data.x_train[:n], data.y_train[:n],
        epochs=recipe.epochs, batch_size=recipe.batch_size,
        validation_data=(data.x_val, data.y_val),
        callbacks=[timer, *progress.callbacks(math.ceil(n / recipe.batch_size)), *callbacks], verbose=verbose,
    )
    history = {name: [float(v) for v in values] for name, values in fit.history.items()}
    history["seconds"] = timer.seconds
    return model, history
