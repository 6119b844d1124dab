"""Cache keys that know the code: a change to the network, the augmentation or the training code changes
the key of every recipe it affects, and only theirs, so a warm cache never serves a stale model."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from course_utils import cache, model, training
from course_utils.training import ARTICLE, BEST, FAST_TRACK, KERAS_IO, Recipe

BATCH_NORM = Recipe(batch_norm=True)
DENSE = Recipe(architecture="dense")
RECIPES = {"article": ARTICLE, "batch norm": BATCH_NORM, "dropout": Recipe(dropout=0.25), "best": BEST,
           "fast track": FAST_TRACK, "dense": DENSE, "keras_io": KERAS_IO}


def keys() -> dict[str, str]:
    return {name: recipe.key() for name, recipe in RECIPES.items()}


def changed(before: dict[str, str]) -> set[str]:
    return {name for name, key in keys().items() if key != before[name]}


def test_batch_norm_momentum_changes_the_batch_norm_entry_only(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.CACHE_VARIABLE, str(tmp_path))
    batch_norm_paths, article_paths = cache.entry_paths(BATCH_NORM), cache.entry_paths(ARTICLE)
    monkeypatch.setattr(model, "BATCH_NORM_MOMENTUM", 0.99)
    assert cache.entry_paths(BATCH_NORM) != batch_norm_paths
    assert cache.entry_paths(ARTICLE) == article_paths


@pytest.mark.parametrize("change, affected", [
    (lambda m: m.setitem(model.AUGMENTATION, "zoom", 0.2), {"best"}),
    (lambda m: m.setattr(model, "DENSE_UNITS", (300, 128)), {"dense"}),
    (lambda m: m.setattr(training, "TRAINING_VERSION", training.TRAINING_VERSION + 1), set(RECIPES)),
], ids=["an augmentation range", "a layer of the dense network", "the training code's version"])
def test_a_change_to_the_code_changes_the_keys_it_affects(monkeypatch, change, affected):
    before = keys()
    change(monkeypatch)
    assert changed(before) == affected


def test_a_change_to_a_layer_changes_the_key_of_every_network_that_has_it(monkeypatch):
    before = keys()
    pooling = model.layers.MaxPooling2D
    monkeypatch.setattr(model.layers, "MaxPooling2D",
                        lambda *args, **options: pooling(*args, padding="same", **options))
    assert changed(before) == set(RECIPES) - {"dense"}  # the dense network has no pooling layer


def test_every_field_of_a_recipe_is_in_its_key():
    other_values = {"architecture": "dense", "optimizer": "adam", "learning_rate": 0.01, "momentum": 0.9,
                    "schedule": "warmup_cosine", "warmup_epochs": 0.5, "epochs": 3, "batch_size": 256,
                    "batch_norm": True, "dropout": 0.25, "augment": True, "label_smoothing": 0.1,
                    "train_size": 100, "seed": 1}
    assert set(other_values) == {field.name for field in dataclasses.fields(Recipe)}  # a new field needs a value here
    found = {ARTICLE.key()}
    found |= {dataclasses.replace(ARTICLE, **{name: value}).key() for name, value in other_values.items()}
    assert len(found) == len(other_values) + 1
    assert ARTICLE.key() == Recipe().key() and ARTICLE.key().startswith("rmsprop-e10-b200-s42-")


def test_a_key_is_the_same_in_every_process_and_moves_no_random_generator():
    """The key is a digest of configurations, not of objects: no layer names, no ids, no random state."""
    random.seed(5)
    np.random.seed(5)
    expected = random.random(), np.random.random()
    random.seed(5)
    np.random.seed(5)
    first = ARTICLE.key()
    assert (random.random(), np.random.random()) == expected
    model.make_classifier()  # a model built first numbers its layers differently
    assert ARTICLE.key() == first
