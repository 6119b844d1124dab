"""Keras callbacks of the training playground: stop on request, and count batches for the time left.

Beside ``course_utils.progress``, whose ``ProgressFile`` reports to ``make run``; these two report to a
widget in the page instead.
"""

from __future__ import annotations

import threading
import time

import keras

from course_utils.progress import time_left


class StopOnRequest(keras.callbacks.Callback):
    """A Keras callback that ends training after the current batch once ``request()`` was called."""

    def __init__(self):
        super().__init__()
        self.requested = threading.Event()

    def request(self) -> None:
        self.requested.set()

    def on_train_batch_end(self, batch, logs=None):
        if self.requested.is_set():
            self.model.stop_training = True


class Progress(keras.callbacks.Callback):
    """A Keras callback that counts batches and estimates the time left from the pace so far."""

    def __init__(self, epochs: int, steps_per_epoch: int, on_batch=None, on_epoch=None):
        super().__init__()
        self.epochs, self.steps_per_epoch = epochs, steps_per_epoch
        self.on_batch, self.on_epoch = on_batch, on_epoch
        self.epoch = self.batch = self.batches_done = 0

    def seconds(self) -> float:
        """The seconds since training began."""
        return time.perf_counter() - self.start

    def fraction_done(self) -> float:
        """The fraction of all batches done so far."""
        return self.batches_done / (self.epochs * self.steps_per_epoch)

    def time_left(self) -> str:
        """'about 12 s left' or 'about 3 min left', at the pace so far (validation included)."""
        return time_left(self.seconds(), self.fraction_done())

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self.batch, self.batches_done = batch + 1, self.batches_done + 1
        if self.on_batch:
            self.on_batch(self)

    def on_epoch_end(self, epoch, logs=None):
        if self.on_epoch:
            self.on_epoch(self, logs)
