"""Exercises of 12 · Distributed training, after Kaggle's learntools (see course_utils.exercises).

    from course_utils.exercises import ex12_distributed
    ex = ex12_distributed.exercises()
    per_replica_batch = ...          # the student replaces ... with an answer
    ex.q1.check(per_replica_batch)   # prints "Correct: ...", "Not quite: ..." or "Not answered yet: ..."

Q1 and Q2 ask about one setup: the article's training moved to 4 GPUs with its batch of 200 kept as the
global batch. Q1 asks for the per-replica batch, Q2 for the learning rate the linear scaling rule gives
(the rule follows the global batch, not the number of devices). Q3 asks for code: an optimizer whose
learning rate follows the rule for 8 replicas of 200 images. The checkers read public Keras and NumPy APIs.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import keras

from course_utils.exercises.core import Exercise, bind, number_exercise
from course_utils.exercises.core import as_number as _number
from course_utils.i18n import _

#: The setting of all three questions: the article's batch of 200 on one device at rmsprop's default rate.
ARTICLE_BATCH = 200
ARTICLE_LEARNING_RATE = 0.001
ARTICLE_STEPS = 275  # 55,000 training images in batches of 200


def _is(value: float, target: float) -> bool:
    # Keras stores a learning rate as float32: compare to about 7 significant digits.
    return math.isclose(value, target, rel_tol=1e-6, abs_tol=1e-12)


def _unknown(name: str) -> str:
    """The message for a number no known mistake explains: no hint, no answer."""
    return _("that is not the expected number, and not a mistake this check knows. Work it out step by step; "
             "ex.{name}.hint() gives a hint.").format(name=name)


# --- Q1 and Q2: 4 GPUs that keep the article's global batch of 200 -------------------------------------

Q1_REPLICAS = 4
Q1_PER_REPLICA = ARTICLE_BATCH // Q1_REPLICAS  # 50: the global batch of 200 cut into 4 slices
Q2_LEARNING_RATE = ARTICLE_LEARNING_RATE  # the global batch did not grow, so neither does the rate


# --- Q3: the learning rate for 8 replicas of 200 ---------------------------------------------------------

Q3_REPLICAS = 8
Q3_LEARNING_RATE = ARTICLE_LEARNING_RATE * Q3_REPLICAS  # the global batch is 8 x 200 = 1,600 images


def _diagnose_optimizer(optimizer: Any) -> str | None:
    if isinstance(optimizer, str):
        return _("a string like 'rmsprop' gives the default learning rate 0.001, unscaled; create "
                 "keras.optimizers.RMSprop(learning_rate=...) to set it.")
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        if _number(optimizer) is not None:
            return _("that is a number; the question asks for the optimizer: "
                     "keras.optimizers.RMSprop(learning_rate=...).")
        return _("the answer should be a Keras optimizer, not a {kind}.").format(kind=type(optimizer).__name__)
    if not isinstance(optimizer, keras.optimizers.RMSprop):
        return _("this is {optimizer}; the article trains with RMSprop: use keras.optimizers.RMSprop.").format(
            optimizer=type(optimizer).__name__)
    rate = _number(optimizer.get_config()["learning_rate"])
    if rate is None:
        return _("the learning rate should be one constant number, not a schedule.")
    if _is(rate, Q3_LEARNING_RATE):
        return None
    if _is(rate, ARTICLE_LEARNING_RATE):
        return _("that is the article's rate for one device. With 8 replicas of 200 images the global batch is "
                 "larger, and the linear scaling rule makes the rate larger by the same factor.")
    if _is(rate, ARTICLE_LEARNING_RATE * 2):
        return _("that is the rate for 2 replicas, as in this notebook; scale it for 8.")
    if _is(rate, ARTICLE_LEARNING_RATE / Q3_REPLICAS):
        return _("that divides; a larger global batch gets a larger learning rate: multiply.")
    if _is(rate, ARTICLE_LEARNING_RATE * math.sqrt(Q3_REPLICAS)):
        return _("that is the square-root rule; this question asks for the linear rule.")
    return _("your rate is {factor:.3g} times the article's 0.001; the linear scaling rule "
             "multiplies the rate by how many times larger the global batch is than the article's 200.").format(
        factor=rate / ARTICLE_LEARNING_RATE)


def exercises() -> SimpleNamespace:
    """Exercises of 12 · Distributed training: the per-replica batch and the learning rate on 4 GPUs that keep
    the article's global batch, and an optimizer for 8 replicas."""
    return bind(_q1(), _q2(), _q3())


def _q1() -> Exercise:
    return number_exercise(
        "q1", _("On 4 GPUs that keep the article's global batch of 200, how many images does each GPU take in "
                "one step?"),
        Q1_PER_REPLICA,
        correct=_("the strategy cuts each global batch of 200 into 4 slices of 50, one per GPU. An epoch still "
                  "has 275 steps, and every GPU takes part in every one of them."),
        hint=_("the dataset is batched by the global batch, and the strategy cuts each of those batches into "
               "one slice per replica."),
        solution="per_replica_batch = 200 // 4",
        mistakes=[
            (ARTICLE_BATCH, _("200 is the global batch here: the strategy shares each batch out among the 4 "
                              "GPUs.")),
            (ARTICLE_BATCH * Q1_REPLICAS, _("that is 4 x 200, a global batch of 800. Here the global batch stays "
                                            "200, and the 4 GPUs share it.")),
            (Q1_REPLICAS, _("that is the number of GPUs; the question asks how many images each one takes.")),
            (ARTICLE_STEPS / Q1_REPLICAS, _("that divides the epoch's steps. Every GPU takes part in every step, "
                                            "with a slice of each batch: the images of one step are shared.")),
            (math.ceil(ARTICLE_STEPS / Q1_REPLICAS), _("that divides the epoch's steps. Every GPU takes part in "
                                                       "every step, with a slice of each batch.")),
        ],
        expected=_unknown("q1"),
    )


def _q2() -> Exercise:
    return number_exercise(
        "q2", _("On the same 4 GPUs with the global batch of 200, what learning rate does the linear scaling "
                "rule give, from the article's 0.001 at batch 200?"),
        Q2_LEARNING_RATE,
        correct=_("the rule follows the global batch, and it is still 200: each step's gradient averages over as "
                  "many images as on one device, so the rate stays 0.001. The 4 GPUs make each step faster, "
                  "not larger."),
        hint=_("the linear scaling rule multiplies the rate by the factor the GLOBAL batch grew by, whatever "
               "the number of devices."),
        solution="learning_rate = 0.001 * 200 / 200  # the global batch is still 200",
        mistakes=[
            (ARTICLE_LEARNING_RATE * Q1_REPLICAS,
             _("that scales the rate by the number of GPUs. The rule follows the global batch, and here it did "
               "not grow.")),
            (ARTICLE_LEARNING_RATE / Q1_REPLICAS,
             _("that divides by the number of GPUs. The rule follows the global batch, not the slices: each "
               "step still averages its gradient over the whole global batch.")),
            (ARTICLE_LEARNING_RATE * 2,
             _("that is this notebook's rate, for a global batch of 400. Here the global batch is 200.")),
        ],
        tolerance=1e-9,
        expected=_unknown("q2"),
    )


def _q3() -> Exercise:
    return Exercise(
        "q3", _("Create the RMSprop optimizer for 8 replicas of 200 images each, scaling the article's learning "
                "rate (0.001 at batch 200) with the linear scaling rule"),
        _diagnose_optimizer,
        correct=_("8 replicas of 200 make a global batch of 1,600, 8 times the article's, so the rate is 8 x "
                  "0.001 = 0.008."),
        expected=_("my_optimizer should be a keras.optimizers.RMSprop whose learning rate follows the linear "
                   "scaling rule for a global batch of 8 x 200 images."),
        hint_text=_("the linear scaling rule multiplies the learning rate by the factor the global batch grew "
                    "by: how many times 200 is 8 x 200?"),
        solution_code="my_optimizer = keras.optimizers.RMSprop(learning_rate=0.001 * 8)",
    )
