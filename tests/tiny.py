"""The tests' one tiny recipe and data set, for tests that train: a few dozen random images, seconds to train.

``tiny_prepared_data()`` is the data set (tests/conftest.py's ``tiny_data`` fixture makes it once per
session); ``tiny_images(n)`` is its images and labels before the split, for a test that needs a
different number of them (tests/train_with_backup.py).
"""

from __future__ import annotations

import numpy as np

from course_utils.data import NUM_CLASSES, PreparedData
from course_utils.training import Recipe

TINY = Recipe(epochs=2, batch_size=32, seed=7)


def tiny_images(n: int = 96) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` random (28, 28, 1) float32 images in [0, 1), their one-hot labels and their labels as integers:
    the same on every call."""
    import keras

    rng = np.random.default_rng(0)
    labels = rng.integers(0, NUM_CLASSES, n)
    images = rng.random((n, 28, 28, 1), dtype=np.float32)
    return images, keras.utils.to_categorical(labels, NUM_CLASSES), labels


def tiny_prepared_data(n: int = 96) -> PreparedData:
    """``tiny_images(n)`` split two thirds for training, a sixth for validation and a sixth for testing."""
    images, onehot, labels = tiny_images(n)
    a, b = 2 * n // 3, 5 * n // 6
    return PreparedData(images[:a], onehot[:a], images[a:b], onehot[a:b], images[b:], onehot[b:], labels[b:])
