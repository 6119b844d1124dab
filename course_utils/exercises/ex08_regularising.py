"""Exercises of 08 · Batch normalisation and dropout: what each adds, what each keeps, what more seeds show."""

from __future__ import annotations

import math
from types import SimpleNamespace

from course_utils.exercises.core import Exercise, bind, near, number_exercise
from course_utils.i18n import _

#: The channels batch normalisation follows in the article's network: three convolutions and the Dense(64).
NORMALISED_CHANNELS = 32 + 64 + 64 + 64
#: How many parameters batch normalisation adds to the article's network: 4 per channel, less the 224
#: biases the normalised layers drop (257,834 - 257,162, printed in the notebook).
ADDED_PARAMETERS = 4 * NORMALISED_CHANNELS - NORMALISED_CHANNELS
#: The dropout factor: the units kept (three quarters) are divided by the share kept.
DROPOUT_FACTOR = 1 / (1 - 0.25)
#: The chance that the 6 seeds of one variant all end above the 6 of another (either way round) when the
#: two are equally good: 2 of the math.comb(12, 6) = 924 ways to pick the top six of the 12 results.
SPLIT_CHANCE_SIX_SEEDS = 2 / math.comb(12, 6)
SPLIT_CHANCE_THREE_SEEDS = 2 / math.comb(6, 3)  # the notebook's worked number: 2 of 20


def exercises() -> SimpleNamespace:
    return bind(_q1(), _q2(), _q3())


def _q1() -> Exercise:
    return number_exercise(
        "q1", _("Predict: how many of the batch-normalised network's 257,834 parameters are NOT trainable?"),
        2 * NORMALISED_CHANNELS,
        correct=_("the running mean and variance are counted from the batches, not learned by gradient "
                  "descent: 2 per channel over 32 + 64 + 64 + 64 = 224 channels, 448 in all."),
        hint=_("of the 4 numbers per channel, which two does gradient descent never change? Then add up the "
               "channels of the four layers batch normalisation follows."),
        solution=("batch_norm_frozen = 2 * (32 + 64 + 64 + 64)  # running mean and variance per channel\n"
                  "# check: sum(w.numpy().size for w in "
                  "make_classifier('rmsprop', batch_norm=True).non_trainable_weights)"),
        mistakes=[
            (4 * NORMALISED_CHANNELS, _("that counts all 4 numbers per channel; the scale and the shift are "
                                        "trainable.")),
            (ADDED_PARAMETERS, _("672 is how much the count grew (257,834 - 257,162): 4 numbers per channel, "
                                 "less the biases the layers dropped. Which of the 4 numbers per channel are "
                                 "not learned?")),
            (NORMALISED_CHANNELS, _("that is one number per channel; there are two running statistics per "
                                    "channel.")),
            (2 * (32 + 64 + 64), _("batch normalisation also follows the Dense(64) layer: 64 more channels.")),
            (2 * (NORMALISED_CHANNELS + 10), _("batch normalisation does not follow the output layer, "
                                               "Dense(10): only the three convolutions and the Dense(64).")),
            (257_834, _("that is every parameter of the network; most of them are weights that gradient "
                        "descent trains.")),
            (0, _("the running mean and variance are parameters too (Keras saves them), but gradient descent "
                  "does not train them.")),
        ],
        expected=_("that is not the count. Which numbers of batch normalisation are not learned, and how many "
                   "channels does it follow? ex.q1.hint() gives a hint."),
    )


def _q2() -> Exercise:
    return number_exercise(
        "q2", _("Predict: in training, Dropout(0.25) multiplies the units it keeps so that the layer's average "
                "output stays the same. By what factor?"),
        DROPOUT_FACTOR,
        correct=_("a quarter of the units are 0, so the kept three quarters are multiplied by 1 / 0.75 = 4/3 "
                  "(about 1.33), and the average is unchanged; at prediction time nothing is dropped or scaled."),
        # Shares as placeholders ({kept:.0%} gives "75%"): a bare "% o" reads as a printf placeholder to Babel.
        hint=_("if {kept:.0%} of the units are kept, by what must they be multiplied for their total to stay the "
               "same?").format(kept=0.75),
        solution="dropout_factor = 1 / (1 - 0.25)",
        mistakes=[
            (0.75, _("that is the fraction kept; multiplying by it would shrink the output further. Divide by "
                     "it.")),
            (1.25, _("adding back {added:.0%} falls short: 0.75 x 1.25 = 0.9375 of the average. Divide by 0.75 "
                     "instead.").format(added=0.25)),
            (4, _("that is 1 / 0.25, the rate; the units kept are 1 - 0.25 of them.")),
            (0.25, _("0.25 is the rate, the share of units set to 0; the question asks for the factor the kept "
                     "units are multiplied by.")),
            (1, _("dropping units lowers the average unless the kept ones are scaled up.")),
            (near(100 * DROPOUT_FACTOR, 0.02), _("that looks like a percentage; give the factor itself (a "
                                                  "factor of 2 doubles, not 200).")),
            (near(DROPOUT_FACTOR, 0.05), _("close: give more digits (rounded rather than cut off), "
                                            "or write it as a fraction.")),
        ],
        tolerance=0.005,
        expected=_("that is not the factor. Think of what the kept units must make up for. ex.q2.hint() gives "
                   "a hint."),
    )


def _q3() -> Exercise:
    return number_exercise(
        "q3", _("Predict: with 6 seeds per variant, how often would chance alone put every seed of one variant "
                "above every seed of the other (either way round), when the two are equally good? A fraction."),
        SPLIT_CHANCE_SIX_SEEDS,
        correct=_("there are math.comb(12, 6) = 924 ways to pick which 6 of the 12 results are the top six, and "
                  "2 of them split the variants cleanly: 2 / 924, about 0.0022 (1 in 462). With 3 seeds it was "
                  "1 in 10. So with more seeds, a clean split is much stronger evidence."),
        hint=_("as in the notebook's worked number: count the ways to pick which 6 of the 12 results are the top "
               "six (math.comb(12, 6)), and how many of them put all 6 seeds of one variant on top."),
        solution="split_chance = 2 / math.comb(12, 6)",
        mistakes=[
            (SPLIT_CHANCE_THREE_SEEDS, _("that is the chance for 3 seeds per variant (2 of 20 ways); with 6 "
                                         "seeds each there are 12 results to split.")),
            (near(SPLIT_CHANCE_SIX_SEEDS / 2, 0.02), _("that counts one way round only: either variant can be "
                                                        "the one on top, so two splits count.")),
            (near(100 * SPLIT_CHANCE_SIX_SEEDS, 0.03), _("that looks like a percentage; give a fraction "
                                                          "(1 in 2 is 0.5).")),
            (math.comb(12, 6), _("924 is the number of ways to pick the top six; the question asks for a "
                                 "chance, a fraction between 0 and 1.")),
            (SPLIT_CHANCE_THREE_SEEDS / 2, _("that is the chance for 3 seeds, one way round; with 6 seeds "
                                             "each there are 12 results to split, and either variant can "
                                             "be on top.")),
            (1 / SPLIT_CHANCE_SIX_SEEDS, _("if you mean 1 in 462, write it as a fraction: a chance is between "
                                           "0 and 1.")),
            (lambda value: value > 1, _("a chance is a fraction between 0 and 1.")),
            (near(SPLIT_CHANCE_SIX_SEEDS, 0.15), _("close: give more digits (two significant "
                                                    "digits at least, rounded rather than cut off).")),
        ],
        tolerance=0.00004,
        expected=_("that is not the chance. ex.q3.hint() gives a hint."),
    )
