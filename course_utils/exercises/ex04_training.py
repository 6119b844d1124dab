"""Exercises of 04 · Training: steps per epoch for another batch size, the loss of a uniform guess."""

from __future__ import annotations

import math
from types import SimpleNamespace

from course_utils.data import NUM_CLASSES, TRAIN_SIZE
from course_utils.exercises.core import Exercise, bind, number_exercise
from course_utils.i18n import _

#: Exercise 2's classifier reads letters, not digits, so the answer is not notebook 03's -log(0.1).
LETTERS = 26


def exercises() -> SimpleNamespace:
    return bind(_q1(), _q2())


def _q1() -> Exercise:
    steps = math.ceil(TRAIN_SIZE / 128)
    return number_exercise(
        "q1", _("Predict: how many steps does one epoch take with batch size 128 on our 55,000 training images?"),
        steps,
        correct=_("429 full batches leave 88 images, and that last, smaller batch is one more step: 430."),
        hint=_("divide 55,000 by 128; Keras also trains on the last, partial batch."),
        solution="steps_per_epoch = math.ceil(55_000 / 128)",
        mistakes=[
            (steps - 1, _("that rounds down; the last, partial batch of 88 images is a step too.")),
            (lambda v: v in (468, 469), _("that uses 60,000 images; 5,000 are held out for validation.")),
            (lambda v: 429 < v < 430, _("a number of steps is a whole number; the partial batch counts as one "
                                        "step.")),
        ],
    )


def _q2() -> Exercise:
    guess_loss = -math.log(1 / LETTERS)
    return number_exercise(
        "q2",
        _("Predict: the loss on one image when an untrained letter classifier gives each of 26 letters "
          "probability 1/26"),
        guess_loss,
        correct=_("-log(1/26) = log(26) = 3.26: where its training starts, as -log(0.1) = 2.30 is for ten digits "
                  "(the loss of the first batches; Keras' epoch line averages the whole epoch)."),
        hint=_("cross-entropy is -log of the probability given to the right class, with the natural logarithm."),
        solution="guess_loss = -math.log(1 / 26)",
        mistakes=[
            (-math.log(1 / NUM_CLASSES),
             _("that is the loss of a uniform guess over ten digits; this network has 26 letters.")),
            (math.log10(LETTERS), _("that is log10(26); Keras uses the natural logarithm (math.log, np.log).")),
            (-guess_loss, _("the sign is reversed: the loss is MINUS the log of the probability, so it is "
                            "positive.")),
            (1 - 1 / LETTERS,
             _("cross-entropy is not 1 - p; it is -log(p), which grows without bound as p goes to 0.")),
        ],
        tolerance=0.005,
    )
