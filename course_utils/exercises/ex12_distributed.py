"""Exercises of 12 · Distributed training, after Kaggle's learntools (see course_utils.exercises).

    from course_utils.exercises import ex12_distributed
    ex = ex12_distributed.exercises()
    steps = ...            # the student replaces ... with an answer
    ex.q1.check(steps)     # prints "Correct: ...", "Not quite: ..." or "Not answered yet: ..."

Q1 asks for a number (steps per epoch with 4 replicas), Q2 for code (an optimizer whose learning
rate follows the linear scaling rule for 8 replicas). The checkers read public Keras and NumPy APIs.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import keras

from course_utils.data import TRAIN_SIZE
from course_utils.exercises.core import Exercise
from course_utils.exercises.core import as_number as _number

#: The setting of both questions: the article's batch of 200 on one device at rmsprop's default rate.
TRAINING_IMAGES = TRAIN_SIZE
ARTICLE_BATCH = 200
ARTICLE_LEARNING_RATE = 0.001


def _is(value: float, target: float) -> bool:
    # Keras stores a learning rate as float32: compare to about 7 significant digits.
    return math.isclose(value, target, rel_tol=1e-6, abs_tol=1e-12)


# --- Q1: steps per epoch on 4 replicas ---------------------------------------------------------------

Q1_REPLICAS, Q1_PER_REPLICA = 4, 100
Q1_GLOBAL_BATCH = Q1_REPLICAS * Q1_PER_REPLICA
Q1_STEPS = math.ceil(TRAINING_IMAGES / Q1_GLOBAL_BATCH)  # 138: 137 full batches and one of 200 images


def _diagnose_steps(answer: Any) -> str | None:
    value = _number(answer)
    if value is None:
        if isinstance(answer, str):
            return "this is text (it is in quotes); write the number itself, without quotes."
        return f"the answer should be a single number, not a {type(answer).__name__}."
    if value == Q1_STEPS:
        return None
    if value == math.ceil(TRAINING_IMAGES / Q1_PER_REPLICA):
        return ("that divides by the batch of one replica. In one step each of the 4 replicas takes 100 images, "
                "so a step consumes the global batch of 400.")
    if value == TRAINING_IMAGES // Q1_GLOBAL_BATCH:
        return "that rounds down; the last, smaller batch (200 images, 50 per replica) is a step too."
    if _is(value, TRAINING_IMAGES / Q1_GLOBAL_BATCH):
        return "steps are whole: 137 full global batches, then one step for the 200 images left over."
    if value == math.ceil(60_000 / Q1_GLOBAL_BATCH):
        return "that uses 60,000 images; 5,000 are held out for validation, so 55,000 are trained on."
    if value == math.ceil(TRAINING_IMAGES / ARTICLE_BATCH / Q1_REPLICAS):
        return "the per-replica batch here is 100, not the article's 200: the global batch is 4 x 100 = 400."
    return ""


# --- Q2: the learning rate for 8 replicas ------------------------------------------------------------

Q2_REPLICAS = 8
Q2_LEARNING_RATE = ARTICLE_LEARNING_RATE * Q2_REPLICAS  # the global batch is 8 x 200 = 1,600 images


def _diagnose_optimizer(optimizer: Any) -> str | None:
    if isinstance(optimizer, str):
        return ("a string like 'rmsprop' gives the default learning rate 0.001, unscaled; create "
                "keras.optimizers.RMSprop(learning_rate=...) to set it.")
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        if _number(optimizer) is not None:
            return "that is a number; the question asks for the optimizer: keras.optimizers.RMSprop(learning_rate=...)."
        return f"the answer should be a Keras optimizer, not a {type(optimizer).__name__}."
    if not isinstance(optimizer, keras.optimizers.RMSprop):
        return f"this is {type(optimizer).__name__}; the article trains with RMSprop: use keras.optimizers.RMSprop."
    rate = _number(optimizer.get_config()["learning_rate"])
    if rate is None:
        return "the learning rate should be one constant number, not a schedule."
    if _is(rate, Q2_LEARNING_RATE):
        return None
    if _is(rate, ARTICLE_LEARNING_RATE):
        return ("that is the article's rate for one device. With 8 replicas the global batch is 8 times "
                "larger, so the linear scaling rule multiplies the rate by 8.")
    if _is(rate, ARTICLE_LEARNING_RATE * 2):
        return "that is the rate for 2 replicas, as in this notebook; scale it for 8."
    if _is(rate, ARTICLE_LEARNING_RATE / Q2_REPLICAS):
        return "that divides by 8; a larger global batch gets a larger learning rate: multiply."
    if _is(rate, ARTICLE_LEARNING_RATE * math.sqrt(Q2_REPLICAS)):
        return "that is the square-root rule; this question asks for the linear rule: the rate times 8."
    return ""


def exercises() -> SimpleNamespace:
    """Exercises of 12 · Distributed training: steps with 4 replicas, a learning rate for 8."""
    return SimpleNamespace(
        q1=Exercise(
            "q1", "On 4 GPUs with a per-replica batch of 100, how many steps does one epoch over the 55,000 "
                  "training images take?",
            _diagnose_steps,
            correct="each step consumes the global batch of 4 x 100 = 400 images: 137 full steps and a last one "
                    "of 200 images, 138 in all.",
            expected="work out the global batch first, then divide the 55,000 images by it (a whole number of steps).",
            hint_text="one step takes one per-replica batch on every replica at once: the global batch is 4 x 100. "
                      "The last batch may be smaller, and it is a step too.",
            solution_code="import math\n\nglobal_batch = 4 * 100\nsteps = math.ceil(55_000 / global_batch)  # 138",
        ),
        q2=Exercise(
            "q2", "Create the RMSprop optimizer for 8 replicas of 200 images each, scaling the article's learning "
                  "rate (0.001 at batch 200) with the linear scaling rule",
            _diagnose_optimizer,
            correct="8 replicas of 200 make a global batch of 1,600, 8 times the article's, so the rate is 8 x 0.001 "
                    "= 0.008.",
            expected="my_optimizer should be keras.optimizers.RMSprop with learning_rate 0.001 times the number of "
                     "replicas.",
            hint_text="the linear scaling rule multiplies the learning rate by the factor the global batch grew "
                      "by: how many times 200 is 8 x 200?",
            solution_code="my_optimizer = keras.optimizers.RMSprop(learning_rate=0.001 * 8)",
        ),
    )
