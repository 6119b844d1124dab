"""Training progress for ``make run``: a side channel from the notebook kernels to the runner.

``make run`` (``course_utils.run_all``) names a file in ``COURSE_PROGRESS_FILE``; every ``train()`` in a
kernel started from it then appends one JSON line per few dozen steps (epoch, step, seconds so far).
The runner reads the file and shows the epoch and an estimate of the time left. Without the variable
(JupyterLab, pytest) nothing is written, so notebook outputs never depend on it.
"""

from __future__ import annotations

import json
import os
import time

import keras

from course_utils.i18n import _

PROGRESS_VARIABLE = "COURSE_PROGRESS_FILE"
#: Report every this many steps (and at each epoch end).
EVERY = 25


class ProgressFile(keras.callbacks.Callback):
    """Append ``{"epoch", "epochs", "step", "steps", "seconds"}`` lines to ``path`` while training."""

    def __init__(self, path: str, steps: int):
        super().__init__()
        self.path, self.steps = path, steps

    def _write(self, **fields) -> None:
        with open(self.path, "a", encoding="utf-8") as file:
            file.write(json.dumps(fields) + "\n")

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()
        self.epochs = self.params.get("epochs", 1)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (batch + 1) % EVERY == 0 or batch + 1 == self.steps:
            self._write(epoch=self.epoch + 1, epochs=self.epochs, step=batch + 1, steps=self.steps,
                        seconds=time.perf_counter() - self.start)


def callbacks(steps: int) -> list:
    """``[ProgressFile]`` when ``COURSE_PROGRESS_FILE`` is set, else nothing."""
    path = os.environ.get(PROGRESS_VARIABLE)
    return [ProgressFile(path, steps)] if path else []


def describe(line: dict) -> str:
    """One progress line in words: ``training: epoch 3/10, about 2 min left``."""
    done = (line["epoch"] - 1 + line["step"] / line["steps"]) / line["epochs"]
    return _("training: epoch {epoch}/{epochs}, {time_left}").format(epoch=line["epoch"], epochs=line["epochs"],
                                                                      time_left=time_left(line["seconds"], done))


def time_left(seconds: float, done: float) -> str:
    """How long a job that is ``done`` (a fraction) after ``seconds`` has left, in words:
    ``about 2 min left`` or ``about 40 s left``; empty when nothing is done yet."""
    if done <= 0:
        return ""
    left = seconds * (1 - done) / done
    if left >= 90:
        return _("about {minutes:.0f} min left").format(minutes=left / 60)
    return _("about {seconds:.0f} s left").format(seconds=left)
