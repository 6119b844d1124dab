"""Exercises of 09 · Optimizers: one rmsprop step by hand, what momentum adds up to."""

from __future__ import annotations

import math
from types import SimpleNamespace

from course_utils.exercises.core import Exercise, bind, near, number_exercise
from course_utils.i18n import _

#: One rmsprop step from a fresh start: Keras' RMSprop keeps v = rho * v + (1 - rho) * g**2 and
#: moves a weight by learning_rate * g / sqrt(v + epsilon); its epsilon (1e-7) is too small to matter in q1 and q3.
RHO, LEARNING_RATE, GRADIENT = 0.9, 0.001, 0.5
#: q3's gradient, 50 times smaller: rmsprop's first step hardly depends on the gradient's size. (Not much
#: smaller: at 0.001, (1 - rho) * g**2 = 1e-7 would equal Keras' epsilon, and the step would shrink.)
SMALL_GRADIENT = 0.01


def _first_step(gradient: float) -> float:
    """rmsprop's first step for a weight with this gradient: v = (1 - rho) * gradient**2 from a fresh start,
    then learning_rate * gradient / sqrt(v) (Keras' epsilon left out)."""
    return LEARNING_RATE * gradient / math.sqrt((1 - RHO) * gradient**2)


def exercises() -> SimpleNamespace:
    return bind(_q1(), _q2(), _q3())


def _q1() -> Exercise:
    v = (1 - RHO) * GRADIENT**2
    step = _first_step(GRADIENT)
    return number_exercise(
        "q1",
        _("Compute: the size of rmsprop's first step for a weight whose gradient is 0.5 "
          "(rho 0.9, learning rate 0.001)"),
        step,
        correct=_("v = 0.1 x 0.5² = 0.025, and the step is 0.001 x 0.5 / √0.025 ≈ 0.0032: "
                  "about 3 times the learning rate."),
        hint=_("first the running average v = rho x 0 + (1 - rho) x gradient², "
               "then step = learning rate x gradient / √v."),
        solution=("v = 0.9 * 0 + (1 - 0.9) * 0.5**2\n"
                  "rmsprop_step = 0.001 * 0.5 / math.sqrt(v)"),
        mistakes=[
            (near(LEARNING_RATE * GRADIENT, 0.02),
             _("that is plain SGD's step (learning rate x gradient); rmsprop divides by √v.")),
            (near(LEARNING_RATE * GRADIENT / math.sqrt(RHO * GRADIENT**2), 0.02),
             _("v takes (1 - rho) of the new squared gradient, not rho.")),
            (near(LEARNING_RATE, 0.02),
             _("that is the learning rate itself, what you get with v = gradient²: v keeps only (1 - rho) of "
               "the new squared gradient, since the average starts at 0.")),
            (near(LEARNING_RATE * GRADIENT / v, 0.02), _("divide by the square root of v, not by v itself.")),
            (near(GRADIENT / math.sqrt(v), 0.02), _("you left out the learning rate: the step is learning "
                                                     "rate x gradient / √v.")),
            (near(-step, 0.05), _("the weight moves down by this amount, but the question asks for the size "
                                   "of the step: a positive number.")),
            (near(step, 0.1), _("close: give more digits (two significant digits at least, "
                                 "rounded rather than cut off).")),
        ],
        tolerance=5e-5,
        expected=_("that is not the step. Work out v first, then the step. ex.q1.hint() gives the formulas."),
    )


def _q2() -> Exercise:
    return number_exercise(
        "q2", _("Predict: when the gradient stays the same for many steps, how many times larger is the step of "
                "SGD with momentum 0.9 than that of plain SGD with the same learning rate?"), 10,
        correct=_("the velocity adds up 1 + 0.9 + 0.9² + ... = 1 / (1 - 0.9) = 10 times the plain step."),
        hint=_("each step adds the new gradient to 0.9 times the old velocity: "
               "sum the geometric series 1 + 0.9 + 0.81 + ..."),
        solution="momentum_factor = 1 / (1 - 0.9)",
        mistakes=[
            (0.9, _("0.9 is the share of the old velocity kept each step; add up all the kept shares.")),
            (1.9, _("that is after two steps; with a steady gradient the series keeps growing towards its limit.")),
            (9, _("close: did you leave out the first term of 1 + 0.9 + 0.81 + ...? The newest gradient counts "
                  "too.")),
            (near(0.1, 1e-6), _("0.1 is the share lost each step (1 - 0.9); the question asks how many times "
                                 "larger the step grows.")),
            (near(1 / 0.9, 0.01), _("1 / 0.9 divides by the share kept; the velocity adds up every kept share: "
                                     "1 + 0.9 + 0.81 + ...")),
            (near(10, 0.05), _("close: give more digits; the series has an exact limit.")),
        ],
        tolerance=1e-6,
        expected=_("that is not the factor. ex.q2.hint() gives a hint."),
    )


def _q3() -> Exercise:
    step = _first_step(GRADIENT)
    return number_exercise(
        "q3",
        _("Predict, then say why: rmsprop's first step for a weight whose gradient is 0.01, 50 times smaller "
          "than in q1 (rho 0.9, learning rate 0.001)"),
        _first_step(SMALL_GRADIENT),
        correct=_("the same step as for a gradient of 0.5, about 0.0032. On the first step √v = √0.1 x gradient, "
                  "so the gradient cancels out: the step is learning rate / √0.1 whatever the gradient's size "
                  "(unless it is tiny: Keras adds 1e-7 to v before the root, to avoid dividing by 0). That is "
                  "why rmsprop moves every weight at a sensible pace, even one with small gradients; plain SGD "
                  "with the same learning rate would move this weight 50 times less than the other."),
        hint=_("write v for this gradient, then the step = learning rate x gradient / √v, and look at what "
               "happens to the gradient in that fraction."),
        solution=("v = (1 - 0.9) * 0.01**2\n"
                  "small_gradient_step = 0.001 * 0.01 / math.sqrt(v)  # the same as rmsprop_step: "
                  "the gradient cancels"),
        mistakes=[
            (near(step * SMALL_GRADIENT / GRADIENT, 0.05),
             _("you made the step 50 times smaller, as plain SGD would. rmsprop divides by √v, and v is made "
               "of this weight's own squared gradients: what does that do to a small gradient?")),
            (near(LEARNING_RATE * SMALL_GRADIENT, 0.02),
             _("that is plain SGD's step (learning rate x gradient); rmsprop divides by √v.")),
            (near(LEARNING_RATE * SMALL_GRADIENT / ((1 - RHO) * SMALL_GRADIENT**2), 0.02),
             _("divide by the square root of v, not by v itself.")),
            (near(LEARNING_RATE, 0.02),
             _("that is the learning rate itself, what you get with v = gradient²: v keeps only (1 - rho) of "
               "the new squared gradient, since the average starts at 0.")),
            (near(step, 0.1), _("close: give more digits (two significant digits at least, rounded rather "
                                 "than cut off).")),
        ],
        tolerance=5e-5,
        expected=_("that is not the step. Work out v for this gradient first. ex.q3.hint() gives a hint."),
    )
