"""Exercises of 10 · Fast track: a warm-up cosine schedule, the targets of label smoothing."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import keras
import numpy as np

from course_utils.data import NUM_CLASSES
from course_utils.exercises.core import Exercise, as_number, bind, close, number_exercise

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
        return "a number is a constant learning rate; create a keras.optimizers.schedules.CosineDecay."
    if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        return f"the answer should be a learning-rate schedule (CosineDecay), not a {type(schedule).__name__}."
    values = _rates(schedule)
    if _matches(values, _warmup_cosine_rates(900)):
        return None
    if close(values[0], 0.003, 1e-7):
        return ("there is no warm-up: schedule(0) is already the peak 0.003. Start at initial_learning_rate=0.0003 "
                "and pass warmup_target=0.003, warmup_steps=100.")
    if _matches(values, _warmup_cosine_rates(1000)):
        return ("the rate ends above 0 at step 1000: decay_steps counts the steps after the warm-up, so it "
                "should be 900, not 1000.")
    return ""


def exercises() -> SimpleNamespace:
    smoothing = 0.1
    target = 1 - smoothing + smoothing / NUM_CLASSES
    return bind(
        Exercise(
            "q1", "Create keras.optimizers.schedules.CosineDecay that warms up linearly from 0.0003 to 0.003 "
                  "over 100 steps, then decays to 0 over the next 900 steps",
            _diagnose_schedule,
            correct=("the rate climbs from 0.0003 to 0.003 in 100 steps, "
                     "then follows a half cosine down to 0 at step 1000."),
            expected=("the schedule should give 0.0003 at step 0, 0.003 at step 100, "
                      "0.0015 at step 550 and 0 at step 1000."),
            hint_text="CosineDecay(initial_learning_rate, decay_steps, warmup_target=..., warmup_steps=...): "
                      "the warm-up starts at initial_learning_rate.",
            solution_code=("schedule = keras.optimizers.schedules.CosineDecay(\n"
                           "    initial_learning_rate=0.0003, decay_steps=900, warmup_target=0.003, warmup_steps=100)"),
        ),
        number_exercise(
            "q2", "Predict: with label_smoothing=0.1, what target does the cross-entropy use for the RIGHT digit?",
            target,
            correct=("Keras keeps 0.9 of the one-hot target and spreads 0.1 evenly over all 10 classes: "
                     "0.9 + 0.01 = 0.91."),
            hint="the smoothed target is (1 - 0.1) x one_hot + 0.1 / 10 for every class, the right one included.",
            solution="right_digit_target = (1 - 0.1) * 1 + 0.1 / 10",
            mistakes=[
                (1 - smoothing,
                 "close: the 0.1 taken away is spread over ALL 10 classes, the right one too, so it gets 0.01 back."),
                (smoothing / NUM_CLASSES, "that is the target of each WRONG digit; the right one keeps much more."),
                (1.0, "that is the plain one-hot target; smoothing lowers it."),
            ],
            tolerance=1e-6,
        ),
    )
