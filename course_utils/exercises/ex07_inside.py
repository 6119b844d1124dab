"""Exercises of 07 · Inside the convnet, with checkers in the style of ``course_utils.exercises``.

The notebook binds them once (``ex = ex07_inside.exercises()``) and checks each answer in its own cell.
None of the answers depends on training, so the messages are the same on every run.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from course_utils.exercises.core import Exercise, as_array, bind, not_an_array, number_exercise
from course_utils.i18n import _

# Test images for the kernel question, 8x8: flat; a horizontal and a vertical edge (dark above or on the
# left, bright below or on the right); the diagonal edge the exercise asks for, from top-left to
# bottom-right (bright below-left of it); and the other diagonal, from top-right to bottom-left.
_ROWS, _COLS = np.indices((8, 8))
_FLAT = np.ones((8, 8))
_HORIZONTAL_EDGE = (_ROWS >= 4) * 1.0
_VERTICAL_EDGE = (_COLS >= 4) * 1.0
_DIAGONAL_EDGE = (_ROWS > _COLS) * 1.0
_OTHER_DIAGONAL_EDGE = (_ROWS + _COLS > 7) * 1.0
# Thin lines, one pixel wide, along each diagonal: a line detector answers them more strongly than an edge.
_DIAGONAL_LINE = (_ROWS == _COLS) * 1.0
_OTHER_DIAGONAL_LINE = (_ROWS + _COLS == 7) * 1.0


def _responses(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The 'valid' convolution of ``image`` with ``kernel`` (every 3x3 window times the kernel, summed)."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def _strength(image: np.ndarray, kernel: np.ndarray) -> float:
    """How strongly ``kernel`` answers somewhere on ``image``: its largest response, whatever its sign."""
    return float(np.abs(_responses(image, kernel)).max())


def _diagnose_diagonal_kernel(answer: Any) -> str | None:
    kernel = as_array(answer)
    if kernel is None:
        return not_an_array(answer)
    kernel = np.squeeze(kernel).astype(float)  # accept Conv2D's (3, 3, 1, 1) too
    if kernel.shape != (3, 3):
        return _("the kernel has shape {shape}; a 3x3 kernel has shape (3, 3).").format(shape=np.shape(answer))
    if not np.isfinite(kernel).all():
        return _("the kernel holds nan or inf; use ordinary numbers.")
    flat = float(_responses(_FLAT, kernel)[0, 0])
    if abs(flat) > 1e-6:
        return _("on a flat area (every pixel the same) the kernel gives {flat:g}, not 0: an edge detector "
                 "should ignore flat areas, so its nine weights must add up to 0.").format(flat=flat)
    diagonal, other = _strength(_DIAGONAL_EDGE, kernel), _strength(_OTHER_DIAGONAL_EDGE, kernel)
    straight = max(_strength(_HORIZONTAL_EDGE, kernel), _strength(_VERTICAL_EDGE, kernel))
    line = max(_strength(_DIAGONAL_LINE, kernel), _strength(_OTHER_DIAGONAL_LINE, kernel))
    if line > max(diagonal, other):
        return _("this kernel answers a thin diagonal line (a stroke one pixel wide) more strongly than an edge: "
                 "the weights on the two sides of its diagonal have the same sign. An edge is dark on one side "
                 "and bright on the other, so the two sides must count with opposite signs.")
    if other > max(diagonal, straight):
        return _("this kernel finds the other diagonal, from top-right to bottom-left: mirror it left to right.")
    if diagonal < 1e-6:
        return _("it gives 0 on an edge from top-left to bottom-right: put weights of one sign below-left of "
                 "the kernel's diagonal and of the other sign above-right of it.")
    if straight >= diagonal:
        return _("it answers a horizontal or a vertical edge at least as strongly as the diagonal one: use "
                 "more weights on each side of the diagonal, not only in its corners, rows or columns.")
    if other >= diagonal:
        return _("it answers the other diagonal (top-right to bottom-left) as strongly as this one: weights of "
                 "one sign below-left of the diagonal, the other sign above-right, and 0 on the diagonal itself.")
    return None


def exercises() -> SimpleNamespace:
    """Exercises of 07 · Inside the convnet: an output size, a diagonal-edge kernel, a receptive field, and what
    padding does to the parameter count."""
    return bind(_q1(), _q2(), _q3(), _q4())


def _q1() -> Exercise:
    return number_exercise(
        "q1", _("What is the height (= width) of the output of a 5x5 convolution with padding='valid' "
                "on a 28x28 image?"), 24,
        correct=_("a 5x5 kernel fits in 28 - 5 + 1 = 24 positions along each axis: 2 pixels are lost on each "
                  "side."),
        hint=_("with 'valid' the whole kernel must stay inside the image. Count the positions its left "
               "column can take: from column 0 up to the column where its right column touches column 27."),
        solution="valid_5x5_size = 28 - 5 + 1",
        mistakes=[
            (28, _("28 is what padding='same' gives; with 'valid' the kernel must fit entirely inside the image.")),
            (26, _("26 is the output of a 3x3 kernel; a 5x5 kernel overhangs by 2 pixels on each side, not 1.")),
            (23, _("28 - 5 counts the steps the kernel moves, not the positions it takes: add 1.")),
            (14, _("halving is what 2x2 max-pooling does; a convolution trims the border instead.")),
            (24 * 24, _("that counts every position of the output (height x width); the question asks for its "
                        "height alone.")),
        ],
        expected=_("subtract what the kernel overhangs on both sides from 28 (a number a bit below 28)."),
    )


def _q2() -> Exercise:
    return Exercise(
        "q2", _("diagonal_kernel: a 3x3 kernel that answers an edge from top-left to bottom-right more strongly "
                "than a horizontal, a vertical or the other diagonal edge, and gives 0 on flat areas"),
        _diagnose_diagonal_kernel,
        correct=_("the nine weights add up to 0, so flat areas give 0; and the side below-left of the diagonal "
                  "counts with the opposite sign to the side above-right, so the kernel answers most where "
                  "dark meets bright across that diagonal: an edge, not a thin line."),
        expected=_("diagonal_kernel should be a 3x3 array with weights of one sign below-left of its diagonal, "
                   "the other sign above-right, and all nine adding up to 0."),
        hint_text=_("the horizontal-edge kernel compares the row above with the row below. Compare instead the "
                    "three weights below-left of the diagonal with the three above-right, and leave the "
                    "diagonal at 0."),
        solution_code=("diagonal_kernel = np.array([[ 0, -1, -1],\n"
                       "                            [ 1,  0, -1],\n"
                       "                            [ 1,  1,  0]], dtype='float32')"),
    )


def _q3() -> Exercise:
    return number_exercise(
        "q3", _("A fourth 3x3 convolution (stride 1) is added right after the article's third one. "
                "How many input pixels wide is its receptive field?"), 26,
        correct=_("after two poolings one step in the feature map is 4 input pixels, and a 3x3 kernel reaches "
                  "one step further on each side: 18 + 2 x 4 = 26."),
        hint=_("take the third convolution's receptive field and jump from the table; a 3x3 convolution adds "
               "(3 - 1) x jump."),
        solution="fourth_conv_field = 18 + (3 - 1) * 4",
        mistakes=[
            (20, _("you added 2 pixels, but after two poolings one step in the feature map spans 4 input "
                   "pixels: a 3x3 convolution adds 2 steps of 4.")),
            (22, _("you added one jump (4 pixels), as a 2x2 pooling would; a 3x3 convolution reaches one step "
                   "further on each side, so it adds 2 jumps.")),
            (30, _("a 3x3 kernel adds 2 steps (one on each side of the centre), not 3.")),
            (36, _("doubling is what pooling does to the jump; a convolution adds to the receptive field.")),
            (18, _("18 is the third convolution's field, the last row of the table; the fourth convolution "
                   "sees further than the layer before it.")),
            (34, _("you used a jump of 8, but only pooling doubles the jump: after two poolings it is 4, and a "
                   "convolution with stride 1 keeps it.")),
        ],
        expected=_("add (kernel size - 1) x jump to the third convolution's receptive field."),
    )


def _q4() -> Exercise:
    return number_exercise(
        "q4", _("How many parameters does the first Conv2D (32 filters, 3x3, on a 28x28x1 image) lose when "
                "padding='same' becomes padding='valid'?"), 0,
        correct=_("none: a Conv2D layer stores its 32 kernels of 3x3 weights and 32 biases, and uses the same ones "
                  "at every position. Padding changes how many positions there are (28x28 or 26x26), so it "
                  "changes the size of the output, not the number of parameters: 320 either way."),
        hint=_("what does the layer store: one set of weights per position, or one kernel per filter that "
               "slides over every position?"),
        solution="parameters_lost = 0  # 3 * 3 * 32 + 32 = 320 parameters with either padding",
        mistakes=[
            (28 * 28 - 26 * 26, _("28 x 28 - 26 x 26 counts the output positions that 'valid' loses. Outputs "
                                  "are not parameters: does the layer store anything per position?")),
            (32 * (28 * 28 - 26 * 26), _("that counts the output numbers 'valid' loses over 32 filters. Outputs "
                                         "are not parameters: does the layer store anything per position?")),
            (lambda value: value < 0, _("give how many parameters are lost, as a number of 0 or more.")),
            (320, _("320 is how many parameters the layer has; the question asks how many it loses.")),
            (288, _("288 is the number of weights in the 32 kernels; the question asks how many are lost.")),
        ],
        expected=_("that is not it. Think of what a Conv2D layer stores (its kernels and biases), and whether "
                   "padding changes any of them."),
    )
