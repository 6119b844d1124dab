"""Exercises of 08 · Batch normalisation and dropout: what each adds, what each keeps."""

from __future__ import annotations

from types import SimpleNamespace

from course_utils.exercises.core import bind, number_exercise


def exercises() -> SimpleNamespace:
    return bind(
        number_exercise(
            "q1", "Predict: how many parameters (trainable and not) does a BatchNormalization layer over 32 channels have?",
            128,
            correct="4 per channel: the trainable gamma and beta plus the moving mean and variance.",
            hint="per channel it learns a scale and a shift, and it also keeps two moving statistics.",
            solution=("batch_norm_parameters = 4 * 32  # gamma, beta, moving mean, moving variance\n"
                      "# check: keras.Sequential([keras.Input((14, 14, 32)), layers.BatchNormalization()]).count_params()"),
            mistakes=[
                (64, "that is only the trainable gamma and beta; count the moving mean and variance too."),
                (32, "that is one per channel; batch normalisation keeps 4 numbers per channel."),
            ],
        ),
        number_exercise(
            "q2", "Predict: with Dropout(0.25) after Dense(64), how many of the 64 units are kept, on average, in a training step?",
            48,
            correct="a rate of 0.25 drops a quarter of the units at random, so 64 x 0.75 = 48 are kept on average.",
            hint="the rate is the fraction of units set to 0 in each training step.",
            solution="kept_units = 64 * (1 - 0.25)",
            mistakes=[
                (16, "that is the number DROPPED (64 x 0.25); the question asks how many are kept."),
                (0.75, "that is the fraction kept; give the number of units."),
                (64, "in training, dropout does drop units; only at prediction time are all 64 used."),
            ],
        ),
    )
