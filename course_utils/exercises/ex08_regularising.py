"""Exercises of 08 · Batch normalisation and dropout: what each adds, what each keeps."""

from __future__ import annotations

from types import SimpleNamespace

from course_utils.exercises.core import bind, number_exercise

#: The channels batch normalisation follows in the article's network: three convolutions and the Dense(64).
NORMALISED_CHANNELS = 32 + 64 + 64 + 64


def exercises() -> SimpleNamespace:
    return bind(
        number_exercise(
            "q1", "Predict: how many of the batch-normalised network's 257,834 parameters are NOT trainable?",
            2 * NORMALISED_CHANNELS,
            correct="the moving mean and variance are counted from the batches, not learned by gradient descent: "
                    "2 per channel over 32 + 64 + 64 + 64 = 224 channels, 448 in all.",
            hint="of the 4 numbers per channel, which two does gradient descent never change? Then add up the "
                 "channels of the four layers batch normalisation follows.",
            solution=("batch_norm_frozen = 2 * (32 + 64 + 64 + 64)  # moving mean and variance per channel\n"
                      "# check: sum(w.numpy().size for w in "
                      "make_classifier('rmsprop', batch_norm=True).non_trainable_weights)"),
            mistakes=[
                (4 * NORMALISED_CHANNELS, "that counts all 4 numbers per channel; gamma and beta are trainable."),
                (NORMALISED_CHANNELS, "that is one number per channel; there are two moving statistics per channel."),
                (2 * (32 + 64 + 64), "batch normalisation also follows the Dense(64) layer: 64 more channels."),
                (0, "the moving mean and variance are parameters too (Keras saves them), but gradient descent "
                    "does not train them."),
            ],
        ),
        number_exercise(
            "q2", "Predict: in training, Dropout(0.25) multiplies the units it keeps so that the layer's average "
                  "output stays the same. By what factor?",
            1 / (1 - 0.25),
            correct="a quarter of the units are 0, so the kept three quarters are multiplied by 1 / 0.75 = 4/3 "
                    "(about 1.33), and the average is unchanged; at prediction time nothing is dropped or scaled.",
            hint="if 75% of the units are kept, by what must they be multiplied for their total to stay the same?",
            solution="dropout_factor = 1 / (1 - 0.25)",
            mistakes=[
                (0.75, "that is the fraction kept; multiplying by it would shrink the output further. Divide by it."),
                (1.25, "adding back 25% falls short: 0.75 x 1.25 = 0.9375 of the average. Divide by 0.75 instead."),
                (4, "that is 1 / 0.25, the rate; the units kept are 1 - 0.25 of them."),
                (1, "dropping units lowers the average unless the kept ones are scaled up."),
            ],
            tolerance=0.005,
        ),
    )
