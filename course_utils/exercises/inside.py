"""Exercises of 07 · Inside the convnet, with checkers in the style of ``course_utils.exercises``.

The notebook binds them once (``ex = inside.exercises()``) and checks each answer in its own cell.
None of the answers depends on training, so the messages are the same on every run.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from course_utils.exercises.core import Exercise, as_array, not_an_array, number_exercise

# Three 6x6 test images for the kernel question: flat, a horizontal edge (dark above, bright below)
# and a vertical edge (dark on the left, bright on the right).
_FLAT = np.ones((6, 6))
_HORIZONTAL_EDGE = np.repeat([[0.0], [0.0], [0.0], [1.0], [1.0], [1.0]], 6, axis=1)
_VERTICAL_EDGE = _HORIZONTAL_EDGE.T


def _responses(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The 'valid' convolution of ``image`` with ``kernel`` (every 3x3 window times the kernel, summed)."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def _diagnose_vertical_kernel(answer: Any) -> str | None:
    kernel = as_array(answer)
    if kernel is None:
        return not_an_array(answer)
    kernel = np.squeeze(kernel).astype(float)  # accept Conv2D's (3, 3, 1, 1) too
    if kernel.shape != (3, 3):
        return f"the kernel has shape {np.shape(answer)}; a 3x3 kernel has shape (3, 3)."
    if not np.isfinite(kernel).all():
        return "the kernel holds nan or inf; use ordinary numbers."
    flat = float(_responses(_FLAT, kernel)[0, 0])
    if abs(flat) > 1e-6:
        return (f"on a flat area (every pixel the same) the kernel gives {flat:g}, not 0: an edge detector "
                "should ignore flat areas, so its nine weights must add up to 0.")
    on_horizontal = np.abs(_responses(_HORIZONTAL_EDGE, kernel)).max() > 1e-6
    on_vertical = np.abs(_responses(_VERTICAL_EDGE, kernel)).max() > 1e-6
    if on_horizontal and not on_vertical:
        return ("this kernel detects horizontal edges: it compares the top row with the bottom row. A vertical "
                "edge changes from left to right, so compare the left column with the right column.")
    if on_horizontal:
        return ("it responds to vertical edges but also to horizontal ones (a change from top to bottom): "
                "make each row of the kernel add up to 0.")
    if not on_vertical:
        return ("it gives 0 on a vertical edge: put weights of one sign in the left column and of the other "
                "sign in the right column.")
    return None


def exercises() -> SimpleNamespace:
    """Exercises of 07 · Inside the convnet: an output size, a vertical-edge kernel, a receptive field."""
    return SimpleNamespace(
        q1=number_exercise(
            "q1", "What is the height (= width) of the output of a 5x5 convolution with padding='valid' "
                  "on a 28x28 image?", 24,
            correct="a 5x5 kernel fits in 28 - 5 + 1 = 24 positions along each axis: 2 pixels are lost on each side.",
            hint="with 'valid' the whole kernel must stay inside the image. Count the positions its left "
                 "column can take: from column 0 up to the column where its right column touches column 27.",
            solution="valid_5x5_size = 28 - 5 + 1",
            mistakes=[
                (28, "28 is what padding='same' gives; with 'valid' the kernel must fit entirely inside the image."),
                (26, "26 is the output of a 3x3 kernel; a 5x5 kernel overhangs by 2 pixels on each side, not 1."),
                (23, "28 - 5 counts the steps the kernel moves, not the positions it takes: add 1."),
                (14, "halving is what 2x2 max-pooling does; a convolution trims the border instead."),
            ],
            expected="subtract what the kernel overhangs on both sides from 28 (a number a bit below 28).",
        ),
        q2=Exercise(
            "q2", "vertical_kernel: a 3x3 kernel that responds to vertical edges (a change from left to right) "
                  "and gives 0 on flat areas and on horizontal edges",
            _diagnose_vertical_kernel,
            correct="its left and right columns have opposite signs and each row adds up to 0, so it answers "
                    "where brightness changes from left to right and ignores flat areas and horizontal edges.",
            expected="vertical_kernel should be a 3x3 array with one sign in its left column, the other sign in "
                     "its right column, and each row adding up to 0.",
            hint_text="turn the horizontal-edge kernel on its side: what were its rows become columns.",
            solution_code=("vertical_kernel = np.array([[-1, 0, 1],\n"
                           "                            [-1, 0, 1],\n"
                           "                            [-1, 0, 1]], dtype='float32')  # or kernel.T"),
        ),
        q3=number_exercise(
            "q3", "A fourth 3x3 convolution (stride 1) is added right after the article's third one. "
                  "How many input pixels wide is its receptive field?", 26,
            correct="after two poolings one step in the feature map is 4 input pixels, and a 3x3 kernel reaches "
                    "one step further on each side: 18 + 2 x 4 = 26.",
            hint="take the third convolution's receptive field and jump from the table; a 3x3 convolution adds "
                 "(3 - 1) x jump.",
            solution="fourth_conv_field = 18 + (3 - 1) * 4",
            mistakes=[
                (20, "you added 2 pixels, but after two poolings one step in the feature map spans 4 input "
                     "pixels: a 3x3 convolution adds 2 steps of 4."),
                (22, "you added one jump (4 pixels), as a 2x2 pooling would; a 3x3 convolution reaches one step "
                     "further on each side, so it adds 2 jumps."),
                (30, "a 3x3 kernel adds 2 steps (one on each side of the centre), not 3."),
                (36, "doubling is what pooling does to the jump; a convolution adds to the receptive field."),
            ],
            expected="add (kernel size - 1) x jump to the third convolution's receptive field.",
        ),
    )
