"""Exercises of 13 · Playground: how the trained model copes with digits unlike MNIST's."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from course_utils.evaluation import accuracy
from course_utils.exercises.core import bind, digit_labels, number_exercise


def exercises(model, images: np.ndarray, labels: np.ndarray) -> SimpleNamespace:
    """``images``: prepared test images (N, 28, 28, 1); ``labels``: their integer digits."""
    labels = digit_labels(labels, len(images))
    plain = accuracy(model, images, labels)
    shifted = accuracy(model, np.roll(images, 3, axis=2), labels)
    inverted = accuracy(model, 1 - images, labels)
    return bind(
        number_exercise(
            "q1",
            "Compute: the accuracy on these test digits moved 3 pixels to the right (np.roll along the width axis)",
            shifted,
            correct="pooling and shared filters make the convnet tolerant to small shifts, though not immune.",
            hint=("the axes are (image, row, column, channel): the width is axis 2. "
                  "np.roll(images, 3, axis=2) moves right."),
            solution=("moved = np.roll(images, 3, axis=2)\n"
                      "shifted_accuracy = (model.predict(moved, verbose=0).argmax(axis=1) == labels).mean()"),
            mistakes=[
                (plain, "that is the accuracy on the unmoved digits; move them first with np.roll."),
                (accuracy(model, np.roll(images, 3, axis=1), labels),
                 "axis 1 is the rows: that moved the digits DOWN. Use axis=2."),
                (100 * shifted, "that is a percentage; give the accuracy as a fraction."),
            ],
            tolerance=1e-6,
        ),
        number_exercise(
            "q2", "Compute: the accuracy on the same test digits inverted (dark ink on white, 1 - images)", inverted,
            correct=("the model never saw dark-on-light digits: inverting them ruins it. "
                     "That is why photos are inverted first."),
            hint="the prepared images are in [0, 1], so 1 - images swaps ink and background.",
            solution=("inverted_images = 1 - images\n"
                      "inverted_accuracy = (model.predict(inverted_images, verbose=0).argmax(axis=1) "
                      "== labels).mean()"),
            mistakes=[
                (plain, "that is the accuracy on the unchanged digits; invert them first with 1 - images."),
                (100 * inverted, "that is a percentage; give the accuracy as a fraction."),
            ],
            tolerance=1e-6,
        ),
    )
