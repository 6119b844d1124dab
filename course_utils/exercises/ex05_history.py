"""Exercises of 05 · Plotting the history: a figure of the gap between the losses, and when early stopping
would have stopped."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from course_utils.exercises.core import Exercise, as_number, bind, close, not_a_number
from course_utils.i18n import N_, _, pgettext

#: Exercise 2's callback: keras.callbacks.EarlyStopping(monitor="val_loss", patience=PATIENCE).
PATIENCE = 2

#: How the gap exercise names a curve drawn that is neither the gap nor one of the history's lists.
CURVE_NAMES = {"reversed": N_("the reversed"), "ratio": N_("the ratio")}


def _join(names) -> str:
    """``names`` joined by " and " (in the current language)."""
    return pgettext("joins the curves a figure shows", " and ").join(names)


def _check_history(history: dict) -> None:
    missing = {"loss", "accuracy", "val_loss", "val_accuracy"} - set(history)
    if missing:
        raise ValueError(_("history lacks {missing}: pass history.history, the dict model.fit recorded.").format(
            missing=sorted(missing)))


def early_stop_epoch(values: Sequence[float], patience: int = PATIENCE) -> int:
    """The epoch (from 1) after which ``keras.callbacks.EarlyStopping(patience=patience)`` watching ``values``
    (a loss, lower is better) ends training: ``patience`` epochs in a row without a new lowest value. The last
    epoch when that never happens."""
    best, wait = float("inf"), 0
    for epoch, value in enumerate(values, start=1):
        wait += 1
        if value < best:
            best, wait = value, 0
        if wait >= patience and epoch > 1:
            return epoch
    return len(values)


def _lines(answer: Any):
    """The plotted lines of a matplotlib Figure or Axes, with the Axes they are on."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    axes = answer.axes if isinstance(answer, Figure) else [answer] if isinstance(answer, Axes) else None
    if axes is None:
        return None
    return [(ax, line) for ax in axes for line in ax.get_lines()]


def _diagnose_gap_figure(history: dict):
    epochs = np.arange(1, len(history["loss"]) + 1)
    loss, val_loss = np.asarray(history["loss"], float), np.asarray(history["val_loss"], float)
    curves = {"gap": val_loss - loss, "reversed": loss - val_loss, "ratio": val_loss / loss}
    curves.update({key: np.asarray(values, float) for key, values in history.items()
                   if len(values) == len(epochs) and key not in curves})

    def which(y: np.ndarray) -> str | None:
        return next((key for key, values in curves.items() if len(y) == len(values) and np.allclose(y, values)),
                    None)

    def diagnose(answer: Any) -> str | None:
        lines = _lines(answer)
        if lines is None:
            return _("the answer should be the matplotlib Figure (from plt.subplots()), not a {kind}.").format(
                kind=type(answer).__name__)
        if not lines:
            return _("the figure has no line yet: draw one with ax.plot(epochs, values).")
        drawn = [(ax, line, which(np.asarray(line.get_ydata(), float))) for ax, line in lines]
        wanted = [(ax, line) for ax, line, key in drawn if key == "gap"]
        keys = {key for _ax, _line, key in drawn if key not in (None, "gap")}
        if not wanted:
            if "reversed" in keys:
                return _("that line is the training loss minus the validation loss: the sign is reversed. Subtract "
                         "the training loss from the validation loss, so that the gap is above zero when the network "
                         "does better on its training images than on new ones.")
            if "ratio" in keys:
                return _("that line divides the two losses; the question asks for their difference, validation "
                         "minus training.")
            if {"loss", "val_loss"} <= keys:
                return _("the figure shows the two losses; draw one line instead: their difference, epoch by epoch.")
            if keys:
                shown = _join(f"history[{key!r}]" for key in sorted(keys))
                return _("the figure shows {shown} itself; draw the difference: validation loss minus training "
                         "loss.").format(shown=shown)
            return _("no line shows the validation loss minus the training loss, epoch by epoch.")
        if keys:
            shown = _join(f"history[{key!r}]" if key in history else _(CURVE_NAMES[key]) for key in sorted(keys))
            return _("the figure also shows {shown}; the question asks for the gap alone.").format(shown=shown)
        for ax, line in wanted:
            x = np.asarray(line.get_xdata(), float)
            if np.allclose(x, epochs - 1):
                return _("the epochs start at 0 on the x-axis; Keras counts epochs from 1: "
                         "plot against range(1, len(...) + 1).")
            if not np.allclose(x, epochs):
                return _("plot the gap against the epoch numbers 1, 2, ... (the first argument of ax.plot).")
            if not ax.get_xlabel() or not ax.get_ylabel():
                return _("the line is right; now label both axes with ax.set_xlabel(...) and ax.set_ylabel(...).")
        return None

    return diagnose


def _diagnose_stop(history: dict):
    val_loss = history["val_loss"]
    expected = early_stop_epoch(val_loss)
    last = len(val_loss)
    best = int(np.argmin(val_loss)) + 1
    # Each beginner's mistake: the number it gives, and what to say about it. One number can come from
    # several mistakes; then the feedback names each of them, as a possibility.
    mistakes = [
        # Translators: each of these five starts a sentence; one that is not the first is put after "Or: " with
        # its first letter in lower case: begin the translation with a Chinese word (这...), not a Latin letter.
        (best, _("That is the epoch with the lowest validation loss. EarlyStopping cannot know it was the lowest "
                 "until it has seen 2 more epochs without a new low.")),
        (early_stop_epoch(val_loss, 1), _("That stops at the first epoch without a new low: with patience=2 Keras "
                                          "waits for two such epochs in a row.")),
        (early_stop_epoch(val_loss, PATIENCE + 1), _("That waits for three epochs without a new low; patience=2 "
                                                     "stops after two.")),
        (early_stop_epoch(history["loss"]), _("That follows the training loss, 'loss'; the callback watches "
                                              "monitor='val_loss', the validation loss.")),
        (expected - 1, _("That counts the epochs from 0; Keras' epoch lines count from 1.")),
    ]

    def diagnose(answer: Any) -> str | None:
        value = as_number(answer)
        if value is None:
            return not_a_number(answer)
        if close(value, expected, 1e-9):
            return None
        if value != int(value):
            return _("an epoch is a whole number.")
        if not 1 <= value <= last:
            return _("notebook 04 trained epochs 1 to {last}; the answer is one of them.").format(last=last)
        messages = [message for wrong, message in mistakes if wrong != expected and close(value, wrong, 1e-9)]
        if close(value, last, 1e-9):
            messages.insert(0, _("{last} is the last epoch: as if training never stopped early.").format(last=last))
        if not messages:
            return _("go through the epochs one by one: count the epochs since the last new lowest validation "
                     "loss, and stop when that count reaches 2.")
        if len(messages) == 1:
            return messages[0]
        # Translators: " Or: ..." follows the sentence before it; its leading space separates two English sentences.
        return messages[0] + "".join(_(" Or: {message}").format(message=message[0].lower() + message[1:])
                                     for message in messages[1:])

    return diagnose


def exercises(history: dict) -> SimpleNamespace:
    """``history`` is ``history.history``: Keras' dict of per-epoch lists."""
    _check_history(history)
    return bind(_q1(history), _q2(history))


def _q1(history: dict) -> Exercise:
    return Exercise(
        "q1", _("figure: the validation loss minus the training loss per epoch, epochs from 1, axes labelled"),
        _diagnose_gap_figure(history),
        correct=_("one line, the validation loss minus the training loss per epoch, with labelled axes. Where "
                  "it grows, the network improves on its training images more than on new ones: it overfits."),
        expected=_("plot history['val_loss'] minus history['loss'], epoch by epoch, and label both axes."),
        hint_text=_("lists do not subtract: make each one a NumPy array with np.array(...) first. Then "
                    "figure, ax = plt.subplots(); ax.plot(epochs, gap); and ax.set_xlabel, ax.set_ylabel."),
        solution_code=("epochs = range(1, len(history['loss']) + 1)\n"
                       "gap = np.array(history['val_loss']) - np.array(history['loss'])\n"
                       "figure, ax = plt.subplots()\n"
                       "ax.plot(epochs, gap, 'o-')\n"
                       "ax.axhline(0, color='gray', linestyle=':')\n"
                       "ax.set_xlabel('Epoch')\n"
                       "ax.set_ylabel('Validation loss - training loss')"),
    )


def _q2(history: dict) -> Exercise:
    return Exercise(
        "q2", _("Compute: after which epoch EarlyStopping(monitor='val_loss', patience=2) would have stopped"),
        _diagnose_stop(history),
        correct=_("two epochs in a row without a new lowest validation loss end the training there. With "
                  "restore_best_weights=True, Keras would also go back to the weights of the best epoch."),
        expected=_("go through the epochs one by one: count the epochs since the last new lowest validation "
                   "loss, and stop when that count reaches 2."),
        hint_text=_("keep the lowest validation loss so far and a count of epochs since it was reached; a new "
                    "low sets the count back to 0."),
        solution_code=("best, wait = float('inf'), 0\n"
                       "for epoch, value in enumerate(history['val_loss'], start=1):\n"
                       "    wait = 0 if value < best else wait + 1\n"
                       "    best = min(best, value)\n"
                       "    if wait == 2:\n"
                       "        break\n"
                       "stop_epoch = epoch"),
    )
