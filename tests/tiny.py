"""A tiny recipe and data set for tests that train: a few dozen random images, seconds to train."""

from __future__ import annotations

import numpy as np

from course_utils.data import NUM_CLASSES, PreparedData
from course_utils.training import Recipe

TINY = Recipe(epochs=2, batch_size=32, seed=7)


def tiny_prepared_data(n: int = 96) -> PreparedData:
    import keras

    rng = np.random.default_rng(0)
    labels = rng.integers(0, NUM_CLASSES, n)
    images = rng.random((n, 28, 28, 1), dtype=np.float32)
    onehot = keras.utils.to_categorical(labels, NUM_CLASSES)
    a, b = 2 * n // 3, 5 * n // 6
    return PreparedData(images[:a], onehot[:a], images[a:b], onehot[a:b], images[b:], onehot[b:], labels[b:])
