"""Exercises of 03 · Building the convnet: counting a layer's parameters, predicting a shape, and what
padding does to the parameter count."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from course_utils.exercises.core import Exercise, bind, number_exercise
from course_utils.exercises.ex02_preparing import as_shape
from course_utils.i18n import _

#: The shape after the third Conv2D when every convolution uses padding="valid":
#: 28 -> 26 (conv) -> 13 (pool) -> 11 (conv) -> 5 (pool, rounding down) -> 3 (conv).
VALID_SHAPE = (3, 3, 64)
#: The parameters of the article's network with padding="valid": the convolutions keep their 320, 18,496 and
#: 36,928, but Flatten now gives 3 x 3 x 64 = 576 numbers, so the first Dense layer has 576 x 64 + 64.
VALID_PARAMETERS = 320 + 18_496 + 36_928 + (3 * 3 * 64 * 64 + 64) + (64 * 10 + 10)


def _dense_after(side: int) -> int:
    """The network's parameters if the last feature maps were ``side`` x ``side`` x 64."""
    return 320 + 18_496 + 36_928 + (side * side * 64 * 64 + 64) + 650


def _diagnose_valid_shape(answer: Any) -> str | None:
    shape = as_shape(answer)
    if shape is None:
        return _("the answer should be a shape, a tuple of whole numbers like (7, 7, 64).")
    if shape == VALID_SHAPE:
        return None
    if shape == (7, 7, 64):
        return _("that is the shape with padding='same'; with 'valid' every 3x3 convolution trims 1 pixel on each "
                 "side.")
    if shape == (4, 4, 64):
        return _("MaxPooling2D rounds down: 11 pixels give 5 pooled pixels (the odd one out is dropped), not 6.")
    if shape == (5, 5, 64):
        return _("that is the size after the second pooling; the third Conv2D trims one more pixel on each side.")
    if len(shape) != 3 or shape[2] != 64:
        return _("the third Conv2D has 64 filters, so the shape ends with 64 channels: (height, width, 64).")
    return ""


def exercises() -> SimpleNamespace:
    return bind(_q1(), _q2(), _q3())


def _q1() -> Exercise:
    return number_exercise(
        "q1", _("Predict: how many parameters does Conv2D(16, (5, 5)) have when it reads the 28x28x1 images?"), 416,
        correct=_("16 filters of 5x5x1 weights make 400, plus one bias per filter: 416. "
                  "The image size does not matter."),
        hint=_("each filter has one 5x5 weight grid per input channel (1 here), plus one bias."),
        solution=("conv_parameters = 16 * (5 * 5 * 1) + 16  "
                  "# check: layers.Conv2D(16, (5, 5)) in a model, count_params()"),
        mistakes=[
            (400, _("that counts the weights only; each filter also has a bias.")),
            (1216, _("that is for 3 colour channels (RGB); MNIST images have 1 channel.")),
            (160, _("that is for 3x3 filters; this layer's filters are 5x5.")),
            (lambda v: v > 10_000,
             _("a convolution's weights are shared across the image: the 28x28 size does not enter the count.")),
        ],
        expected=_("that is not the count. Count the weights of one filter, add its bias, then multiply "
                   "by the number of filters."),
    )


def _q2() -> Exercise:
    return Exercise(
        "q2", _("Predict: the output shape of the third Conv2D if every Conv2D used padding='valid'"),
        _diagnose_valid_shape,
        correct=_("28 -> 26 (conv) -> 13 (pool) -> 11 (conv) -> 5 (pool) -> 3 (conv): (3, 3, 64)."),
        expected=_("follow the size through the layers: a valid 3x3 convolution takes 2 pixels off, "
                   "a 2x2 pool halves and rounds down."),
        hint_text=_("'valid' means no padding: a 3x3 kernel fits 26 times across 28 pixels. "
                    "Pooling halves, rounding down."),
        solution_code=("from keras import layers\n\n"
                       "probe = keras.Sequential([keras.Input(shape=(28, 28, 1)),\n"
                       "    layers.Conv2D(32, (3, 3), padding='valid'), layers.MaxPooling2D((2, 2)),\n"
                       "    layers.Conv2D(64, (3, 3), padding='valid'), layers.MaxPooling2D((2, 2)),\n"
                       "    layers.Conv2D(64, (3, 3), padding='valid')])\n"
                       "valid_shape = probe.output_shape[1:]  # (3, 3, 64)"),
    )


def _q3() -> Exercise:
    return number_exercise(
        "q3", _("Predict: the parameters of the whole network if every Conv2D used padding='valid'"),
        VALID_PARAMETERS,
        correct=_("the convolutions keep their counts (a filter's weights do not depend on the image size), "
                  "but Flatten now gives 3 x 3 x 64 = 576 numbers instead of 3,136, so the first Dense layer "
                  "has 576 x 64 + 64 = 36,928 instead of 200,768: 93,322 in all."),
        hint=_("which layers' counts depend on the size of the feature maps? A Conv2D's do not; "
               "look at what Flatten hands to the first Dense layer."),
        solution=("valid_parameters = 320 + 18_496 + 36_928 + (3 * 3 * 64 * 64 + 64) + (64 * 10 + 10)  "
                  "# check: build the network with padding='valid', count_params()"),
        mistakes=[
            (257_162, _("that is the count with padding='same'. Padding changes the feature maps' size: "
                        "which layer after them has weights that depend on that size?")),
            (_dense_after(5), _("that uses 5 x 5 feature maps, the size after the second pooling; "
                                "the third Conv2D trims them once more.")),
            (_dense_after(4), _("MaxPooling2D rounds down: 11 pixels pool to 5, not 6.")),
            (3 * 3 * 64 * 64 + 64, _("that is one layer's count; give the whole network's.")),
        ],
        expected=_("that is not the count. Work out the shape Flatten gets (exercise 2), then add up the "
                   "layers' parameters as in 'Where the 257,162 parameters are'."),
    )
