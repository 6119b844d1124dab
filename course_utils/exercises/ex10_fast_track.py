"""Exercises of 10 · Fast track: a warm-up cosine schedule, the targets of label smoothing, and why a
label-smoothed loss never approaches zero."""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import keras
import numpy as np

from course_utils.data import NUM_CLASSES
from course_utils.exercises.core import Exercise, as_number, bind, close, number_exercise
from course_utils.i18n import _, pgettext

#: The label smoothing of exercises 2 and 3 (the fast track's).
SMOOTHING = 0.1

#: The steps where the answer's learning rate is compared with the asked schedule's.
SCHEDULE_STEPS = (0, 50, 100, 550, 1000)


def _rates(schedule: keras.optimizers.schedules.LearningRateSchedule) -> list[float]:
    return [float(np.asarray(schedule(step))) for step in SCHEDULE_STEPS]


def _warmup_cosine_rates(decay_steps: int) -> list[float]:
    """The rates of the asked warm-up from 0.0003 to 0.003 over 100 steps, then a cosine decay over ``decay_steps``."""
    return _rates(keras.optimizers.schedules.CosineDecay(0.0003, decay_steps, warmup_target=0.003, warmup_steps=100))


def _matches(values: Sequence[float], targets: Sequence[float]) -> bool:
    return all(close(v, t, 1e-7) for v, t in zip(values, targets, strict=True))


def _diagnose_schedule(schedule: Any) -> str | None:
    if as_number(schedule) is not None:
        return _("a number is a constant learning rate; create a keras.optimizers.schedules.CosineDecay.")
    if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        return _("the answer should be a learning-rate schedule (CosineDecay), not a {kind}.").format(
            kind=type(schedule).__name__)
    values = _rates(schedule)
    if _matches(values, _warmup_cosine_rates(900)):
        return None
    if close(values[0], 0.003, 1e-7):
        return _("there is no warm-up: schedule(0) is already the peak 0.003. Start at initial_learning_rate=0.0003 "
                 "and pass warmup_target=0.003, warmup_steps=100.")
    if _matches(values, _warmup_cosine_rates(1000)):
        return _("the rate ends above 0 at step 1000: decay_steps counts the steps after the warm-up, so it "
                 "should be 900, not 1000.")
    separator = pgettext("list separator", ", ")
    return _("at steps {steps} and {last_step} your schedule gives {rates} and {last_rate}; the asked schedule gives "
             "0.0003 at step 0, 0.003 at step 100, 0.0015 at step 550 and 0 at step 1000.").format(
        steps=separator.join(map(str, SCHEDULE_STEPS[:-1])), last_step=SCHEDULE_STEPS[-1],
        rates=separator.join(f"{value:.3g}" for value in values[:-1]), last_rate=f"{values[-1]:.3g}")


def smoothed_targets(smoothing: float = SMOOTHING) -> tuple[float, float]:
    """The targets Keras' label smoothing gives the right digit and each wrong one."""
    return 1 - smoothing + smoothing / NUM_CLASSES, smoothing / NUM_CLASSES


def lowest_smoothed_loss(smoothing: float = SMOOTHING) -> float:
    """The smoothed cross-entropy of a prediction equal to the smoothed targets: the lowest it can be."""
    right, wrong = smoothed_targets(smoothing)
    return -(right * math.log(right) + (NUM_CLASSES - 1) * wrong * math.log(wrong))


def exercises() -> SimpleNamespace:
    return bind(_q1(), _q2(), _q3())


def _q1() -> Exercise:
    return Exercise(
        "q1", _("Create keras.optimizers.schedules.CosineDecay that warms up linearly from 0.0003 to 0.003 "
                "over 100 steps, then decays to 0 over the next 900 steps"),
        _diagnose_schedule,
        correct=_("the rate climbs from 0.0003 to 0.003 in 100 steps, "
                  "then follows a half cosine down to 0 at step 1000."),
        expected=_("the answer should be a keras.optimizers.schedules.CosineDecay that gives 0.0003 at step 0, "
                   "0.003 at step 100 and 0 at step 1000."),
        hint_text=_("CosineDecay(initial_learning_rate, decay_steps, warmup_target=..., warmup_steps=...): "
                    "the warm-up starts at initial_learning_rate."),
        solution_code=("schedule = keras.optimizers.schedules.CosineDecay(\n"
                       "    initial_learning_rate=0.0003, decay_steps=900, warmup_target=0.003, warmup_steps=100)"),
    )


def _q2() -> Exercise:
    target, wrong_target = smoothed_targets()
    return number_exercise(
        "q2", _("Predict: with label_smoothing=0.1, what target does the cross-entropy use for the RIGHT digit?"),
        target,
        correct=_("Keras keeps 0.9 of the one-hot target and spreads 0.1 evenly over all 10 classes: "
                  "0.9 + 0.01 = 0.91."),
        hint=_("the rule has two parts: first scale the one-hot target (1 for the right digit), then add the "
               "share of 0.1 that each of the 10 classes gets."),
        solution="right_digit_target = (1 - 0.1) * 1 + 0.1 / 10",
        mistakes=[
            (1 - SMOOTHING,
             _("close: the 0.1 taken away is spread over ALL 10 classes, the right one too, so it gets its "
               "share back.")),
            (wrong_target, _("that is the target of each WRONG digit; the right one keeps much more.")),
            (1.0, _("that is the plain one-hot target; smoothing lowers it.")),
            (1 - target, _("that is how much smoothing lowers the target; give the target itself.")),
            (100 * target, _("that is a percentage; give the target as a fraction of 1, like the one-hot 1.")),
            (1 - wrong_target, _("that takes away only one class's share; smoothing takes 0.1 from the one-hot 1 "
                                 "before it gives the shares back.")),
        ],
        tolerance=1e-6,
        # The message for a number no known mistake explains: no hint, no answer.
        expected=_("that is not the expected target, and not a mistake this check knows. Work it out step by "
                   "step; ex.{name}.hint() gives a hint.").format(name="q2"),
    )


def _q3() -> Exercise:
    target, wrong_target = smoothed_targets()
    lowest = lowest_smoothed_loss()
    right_term, wrong_terms = -target * math.log(target), -(NUM_CLASSES - 1) * wrong_target * math.log(wrong_target)
    return number_exercise(
        "q3", _("Why can a label-smoothed loss never approach zero? Compute the loss of a prediction equal to "
                "the smoothed targets, the lowest it can be"),
        lowest,
        correct=_("about 0.50. With smoothed targets the loss is lowest when the prediction equals them, and even "
                  "then it is -(0.91 ln 0.91 + 9 x 0.01 ln 0.01). So the smoothed test losses above can never go "
                  "below 0.5, however many digits the network gets right."),
        hint=_("the cross-entropy adds -target x ln(probability) over all 10 classes; here each probability "
               "equals its target: exercise 2's for the right digit, and what is left, shared by the 9 others, "
               "for each wrong one."),
        solution="lowest_loss = -(0.91 * np.log(0.91) + 9 * 0.01 * np.log(0.01))",
        mistakes=[
            (0.0, _("that is the plain loss of a perfect prediction. With smoothed targets a probability of 1 is "
                    "not what the loss asks for: predict the targets themselves and add up the 10 terms.")),
            (-math.log(target), _("that is only the right digit's term, and without its target as the weight; "
                                  "the 9 wrong digits add a term each too.")),
            (right_term, _("that is only the right digit's term; each of the 9 wrong digits adds -0.01 x "
                           "ln(0.01).")),
            (wrong_terms, _("that is only the 9 wrong digits' terms; the right digit adds -0.91 x ln(0.91).")),
            (right_term - wrong_target * math.log(wrong_target),
             _("that counts one wrong digit; there are 9, each with its own term.")),
            (lowest / math.log(10), _("that uses log10; Keras' cross-entropy uses the natural log (np.log).")),
            (-lowest, _("the sign is reversed: the loss is MINUS the sum of target x ln(probability).")),
            (lambda value: abs(value - lowest) < 0.02, _("close: give more digits (compute it with np.log).")),
        ],
        tolerance=5e-4,
        expected=_("that is not the expected loss, and not a mistake this check knows. Work it out step by "
                   "step; ex.{name}.hint() gives a hint.").format(name="q3"),
    )
