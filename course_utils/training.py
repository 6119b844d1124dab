"""Training recipes, and trained models cached on disk keyed by their recipe.

A ``Recipe`` holds everything that decides the weights a training run ends with: the model options,
the optimizer, the schedule, the budget and the seed. Its ``key()`` names the cached artifacts
(``<key>.keras`` for the model, ``<key>.json`` for the history), so a later notebook reuses what an
earlier one trained, and a changed recipe can never pick up a stale model.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from course_utils import SEED, cache_dir
from course_utils.data import encode_labels, load_mnist, prepare_images, split_validation


#: Training images held out for validation: the last 5,000 of the 60,000.
VALIDATION_SIZE = 5000


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a trained model. The defaults are the article's recipe."""

    optimizer: str = "rmsprop"
    learning_rate: float | None = None  # None: the optimizer's Keras default
    momentum: float = 0.0  # for "sgd"
    schedule: str = "constant"  # or "warmup_cosine"
    warmup_epochs: float = 0.0
    epochs: int = 10
    batch_size: int = 200
    batch_norm: bool = False
    dropout: float = 0.0
    label_smoothing: float = 0.0
    train_size: int | None = None  # None: all 55,000 training images left after validation
    seed: int = SEED

    def key(self) -> str:
        """A short name that changes whenever any field changes, e.g. ``rmsprop-e10-b200-3f9a1c2b``."""
        fields = json.dumps(dataclasses.asdict(self), sort_keys=True)
        digest = hashlib.sha256(fields.encode()).hexdigest()[:8]
        return f"{self.optimizer}-e{self.epochs}-b{self.batch_size}-s{self.seed}-{digest}"

    def steps_per_epoch(self) -> int:
        return -(-(self.train_size or 60000 - VALIDATION_SIZE) // self.batch_size)

    def learning_rate_schedule(self):
        """The learning rate: a number, or a Keras schedule of the training step."""
        default = {"rmsprop": 0.001, "adam": 0.001, "sgd": 0.01}
        if self.optimizer not in default:
            raise ValueError(f"unknown optimizer {self.optimizer!r}: use 'rmsprop', 'adam' or 'sgd'")
        rate = default[self.optimizer] if self.learning_rate is None else self.learning_rate
        if self.schedule == "constant":
            return rate
        if self.schedule != "warmup_cosine":
            raise ValueError(f"unknown schedule {self.schedule!r}: use 'constant' or 'warmup_cosine'")
        total = self.epochs * self.steps_per_epoch()
        warmup = round(self.warmup_epochs * self.steps_per_epoch())
        # Warm up linearly from a tenth of the peak rate, then follow a cosine down to zero.
        return keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=rate / 10, warmup_target=rate, warmup_steps=warmup, decay_steps=total - warmup
        )

    def make_optimizer(self) -> keras.optimizers.Optimizer:
        """The Keras optimizer this recipe asks for, with its learning rate or schedule."""
        optimizer_class = {"rmsprop": keras.optimizers.RMSprop, "adam": keras.optimizers.Adam,
                           "sgd": keras.optimizers.SGD}.get(self.optimizer)
        options = {"momentum": self.momentum} if self.optimizer == "sgd" else {}
        return optimizer_class(learning_rate=self.learning_rate_schedule(), **options)

    def make_model(self):
        """A freshly seeded, compiled model for this recipe."""
        from course_utils.model import make_classifier

        keras.backend.clear_session()
        keras.utils.set_random_seed(self.seed)
        return make_classifier(self.make_optimizer(), batch_norm=self.batch_norm, dropout=self.dropout,
                               label_smoothing=self.label_smoothing)


#: The article's recipe: rmsprop, 10 epochs, batch size 200.
ARTICLE = Recipe()


#: The fast track (notebook 09): the same network, 2 epochs of Adam with a short warm-up and cosine
#: decay to a peak of 0.01, batch size 128 and label smoothing. Its peak was chosen on the validation
#: set (notebook 09's sweep, three seeds at the full scale).
FAST_TRACK = Recipe(optimizer="adam", learning_rate=0.01, schedule="warmup_cosine", warmup_epochs=0.3,
                    epochs=2, batch_size=128, label_smoothing=0.1, seed=1)


@dataclass(frozen=True)
class PreparedData:
    """MNIST ready for the network: images (N, 28, 28, 1) in [0, 1], one-hot labels (N, 10)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    labels_test: np.ndarray  # the test digits as integers, for confusion matrices and galleries


@functools.lru_cache(maxsize=1)
def load_prepared() -> PreparedData:
    """Load MNIST, prepare it and hold out the last 5,000 training images for validation."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    (x_fit, y_fit), (x_val, y_val) = split_validation(prepare_images(x_train), encode_labels(y_train), VALIDATION_SIZE)
    return PreparedData(x_fit, y_fit, x_val, y_val, prepare_images(x_test), encode_labels(y_test), y_test)


class EpochTimer(keras.callbacks.Callback):
    """A Keras callback that records the seconds each epoch takes in ``logs['seconds']``."""

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["seconds"] = time.perf_counter() - self._start


def train(recipe: Recipe, data: PreparedData | None = None, *, verbose: int = 2, callbacks=()) -> tuple:
    """Train a fresh model with ``recipe``; return ``(model, history)``.

    ``history`` is a plain dict of per-epoch lists (loss, accuracy, val_loss, val_accuracy, seconds).
    """
    data = data or load_prepared()
    n = recipe.train_size or len(data.x_train)
    model = recipe.make_model()
    fit = model.fit(
        data.x_train[:n], data.y_train[:n],
        batch_size=recipe.batch_size, epochs=recipe.epochs,
        validation_data=(data.x_val, data.y_val),
        callbacks=[EpochTimer(), *callbacks], verbose=verbose,
    )
    history = {name: [float(v) for v in values] for name, values in fit.history.items()}
    return model, history


def artifact_paths(recipe: Recipe) -> tuple[Path, Path]:
    """Where the model (``.keras``) and history (``.json``) of ``recipe`` are cached."""
    folder = cache_dir()
    return folder / f"{recipe.key()}.keras", folder / f"{recipe.key()}.json"


def save_artifacts(recipe: Recipe, model, history: dict, scores: dict | None = None) -> None:
    """Save model and history (and test scores, if given) atomically.

    Both files are written under temporary names in the cache folder, then renamed into place; the
    history file, which records the recipe, comes last, so a half-finished save is never loaded.
    """
    model_path, record_path = artifact_paths(recipe)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    record = {"recipe": dataclasses.asdict(recipe), "history": history, "scores": scores}
    with tempfile.TemporaryDirectory(dir=model_path.parent, prefix=".partial-") as scratch:
        scratch_model, scratch_record = Path(scratch) / model_path.name, Path(scratch) / record_path.name
        model.save(scratch_model)
        scratch_record.write_text(json.dumps(record, indent=1))
        os.replace(scratch_model, model_path)
        os.replace(scratch_record, record_path)


def load_record(recipe: Recipe) -> dict | None:
    """The saved ``{"recipe", "history", "scores"}`` of ``recipe`` (no model is loaded), or None."""
    model_path, record_path = artifact_paths(recipe)
    if not (model_path.is_file() and record_path.is_file()):
        return None
    record = json.loads(record_path.read_text())
    return record if record.get("recipe") == dataclasses.asdict(recipe) else None


def load_artifacts(recipe: Recipe) -> tuple | None:
    """The cached ``(model, history)`` of ``recipe``, or None when it has not been trained yet."""
    record = load_record(recipe)
    if record is None:
        return None
    return keras.models.load_model(artifact_paths(recipe)[0]), record["history"]


def load_or_train(recipe: Recipe = ARTICLE, data: PreparedData | None = None) -> tuple:
    """The trained ``(model, history)`` of ``recipe``: from the cache, else trained quietly and cached.

    It prints the same line either way, so a notebook's output does not depend on the cache.
    """
    cached = load_artifacts(recipe)
    if cached is None:
        model, history = train(recipe, data, verbose=0)
        save_artifacts(recipe, model, history)
        cached = model, history
    print(f"Model ready: recipe {recipe.key()}, {len(cached[1]['loss'])} epochs")
    return cached
