"""Exercises of 05 · Plotting the history: a figure of your own, the best epoch."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from course_utils.exercises.core import Exercise, bind, number_exercise


def _check_history(history: dict) -> None:
    missing = {"loss", "accuracy", "val_loss", "val_accuracy"} - set(history)
    if missing:
        raise ValueError(f"history lacks {sorted(missing)}: pass history.history, the dict model.fit recorded.")


def _lines(answer: Any):
    """The plotted lines of a matplotlib Figure or Axes, with the Axes they are on."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    axes = answer.axes if isinstance(answer, Figure) else [answer] if isinstance(answer, Axes) else None
    if axes is None:
        return None
    return [(ax, line) for ax in axes for line in ax.get_lines()]


def _curve(y: np.ndarray, history: dict) -> str | None:
    """The history key whose values ``y`` shows ('val_accuracy' first), or None for any other line."""
    keys = ["val_accuracy"] + [key for key in history if key != "val_accuracy"]
    return next((key for key in keys if len(y) == len(history[key]) and np.allclose(y, history[key])), None)


def _diagnose_figure(history: dict):
    epochs = np.arange(1, len(history["val_accuracy"]) + 1)

    def diagnose(answer: Any) -> str | None:
        lines = _lines(answer)
        if lines is None:
            return f"the answer should be the matplotlib Figure (from plt.subplots()), not a {type(answer).__name__}."
        if not lines:
            return "the figure has no line yet: draw one with ax.plot(epochs, values)."
        curves = [(ax, line, _curve(np.asarray(line.get_ydata(), float), history)) for ax, line in lines]
        wanted = [(ax, line) for ax, line, key in curves if key == "val_accuracy"]
        others = sorted({key for _, _, key in curves if key not in (None, "val_accuracy")})
        if not wanted:
            if "accuracy" in others:
                return "that line is the training accuracy ('accuracy'); plot the validation accuracy, 'val_accuracy'."
            return "no line shows history['val_accuracy'] per epoch; plot exactly those values."
        if others:
            shown = " and ".join(f"history[{key!r}]" for key in others)
            return (f"the figure also shows {shown}; the question asks for the validation accuracy alone: "
                    + ("remove that line." if len(others) == 1 else "remove those lines."))
        for ax, line in wanted:
            x = np.asarray(line.get_xdata(), float)
            if np.allclose(x, epochs - 1):
                return ("the epochs start at 0 on the x-axis; Keras counts epochs from 1: "
                        "plot against range(1, len(...) + 1).")
            if not np.allclose(x, epochs):
                return "plot the values against the epoch numbers 1, 2, ... (the first argument of ax.plot)."
            if not ax.get_xlabel() or not ax.get_ylabel():
                return "the line is right; now label both axes with ax.set_xlabel(...) and ax.set_ylabel(...)."
        return None

    return diagnose


def exercises(history: dict) -> SimpleNamespace:
    """``history`` is ``history.history``: Keras' dict of per-epoch lists."""
    _check_history(history)
    best_epoch = int(np.argmin(history["val_loss"])) + 1
    return bind(
        Exercise(
            "q1", "figure: the validation accuracy per epoch, epochs from 1, both axes labelled",
            _diagnose_figure(history),
            correct="one line, the validation accuracy against epochs 1 to 10, with labelled axes.",
            expected="plot history['val_accuracy'] against the epochs 1, 2, ... and label both axes.",
            hint_text=("figure, ax = plt.subplots(); ax.plot(epochs, values, 'b'); "
                       "then ax.set_xlabel and ax.set_ylabel."),
            solution_code=("epochs = range(1, len(history['val_accuracy']) + 1)\n"
                           "figure, ax = plt.subplots()\n"
                           "ax.plot(epochs, history['val_accuracy'], 'b')\n"
                           "ax.set_xlabel('Epoch')\n"
                           "ax.set_ylabel('Validation accuracy')"),
        ),
        number_exercise(
            "q2", "Compute: the epoch (counting from 1) with the lowest validation loss", best_epoch,
            correct="that is the epoch to keep if you choose the model by its validation loss.",
            hint="np.argmin(history['val_loss']) is the position of the lowest value, counting from 0.",
            solution="best_epoch = int(np.argmin(history['val_loss'])) + 1",
            mistakes=[
                (best_epoch - 1, "positions in a list count from 0 but epochs count from 1: add 1."),
                (int(np.argmin(history["loss"])) + 1, "that is where the training loss is lowest; look at val_loss."),
                (int(np.argmax(history["val_loss"])) + 1,
                 "that is where the validation loss is highest; look for the lowest."),
            ],
            expected="find the lowest value of history['val_loss'] and give its epoch, counting from 1.",
        ),
    )
