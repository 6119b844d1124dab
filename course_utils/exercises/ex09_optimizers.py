"""Exercises of 09 · Optimizers: one rmsprop step by hand, what momentum adds up to."""

from __future__ import annotations

import math
from types import SimpleNamespace

from course_utils.exercises.core import bind, number_exercise

#: One rmsprop step from a fresh start: Keras' RMSprop keeps v = rho * v + (1 - rho) * g**2 and
#: moves a weight by learning_rate * g / sqrt(v + epsilon); its epsilon (1e-7) is too small to matter here.
RHO, LEARNING_RATE, GRADIENT = 0.9, 0.001, 0.5


def exercises() -> SimpleNamespace:
    v = (1 - RHO) * GRADIENT**2
    step = LEARNING_RATE * GRADIENT / math.sqrt(v)
    return bind(
        number_exercise(
            "q1",
            ("Compute: the size of rmsprop's first step for a weight whose gradient is 0.5 "
             "(rho 0.9, learning rate 0.001)"),
            step,
            correct=("v = 0.1 x 0.5² = 0.025, and the step is 0.001 x 0.5 / √0.025 ≈ 0.0032: "
                     "about 3 times the learning rate."),
            hint=("first the running average v = rho x 0 + (1 - rho) x gradient², "
                  "then step = learning rate x gradient / √v."),
            solution=("v = 0.9 * 0 + (1 - 0.9) * 0.5**2\n"
                      "rmsprop_step = 0.001 * 0.5 / math.sqrt(v)"),
            mistakes=[
                (LEARNING_RATE * GRADIENT,
                 "that is plain SGD's step (learning rate x gradient); rmsprop divides by √v."),
                (LEARNING_RATE * GRADIENT / math.sqrt(RHO * GRADIENT**2),
                 "v takes (1 - rho) of the new squared gradient, not rho."),
                (LEARNING_RATE * GRADIENT / v, "divide by the square root of v, not by v itself."),
            ],
            tolerance=2e-6,
        ),
        number_exercise(
            "q2", "Predict: when the gradient stays the same for many steps, how many times larger is the step of SGD "
                  "with momentum 0.9 than that of plain SGD with the same learning rate?", 10,
            correct="the velocity adds up 1 + 0.9 + 0.9² + ... = 1 / (1 - 0.9) = 10 times the plain step.",
            hint=("each step adds the new gradient to 0.9 times the old velocity: "
                  "sum the geometric series 1 + 0.9 + 0.81 + ..."),
            solution="momentum_factor = 1 / (1 - 0.9)",
            mistakes=[
                (0.9, "0.9 is the share of the old velocity kept each step; add up all the kept shares."),
                (1.9, "that is after two steps; with a steady gradient the series keeps growing towards its limit."),
                (9, "close: the series 1 + 0.9 + 0.81 + ... includes the first 1; its sum is 1 / (1 - 0.9)."),
            ],
            tolerance=1e-6,
        ),
    )
