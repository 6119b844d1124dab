"""The training playground: train the article's network with your own settings, in the background."""

from __future__ import annotations

import threading
import time
from typing import ClassVar

import ipywidgets as widgets

from course_utils import training
from course_utils.callbacks import Progress, StopOnRequest
from course_utils.data import TRAIN_SIZE, load_prepared
from course_utils.i18n import _
from course_utils.plotting import detached_figures, plot_recent_runs
from course_utils.widgets.common import Panel, show_figure, status_line

#: The learning rate each optimizer starts with in the playground: the recipes' default for it.
DEFAULT_LEARNING_RATES = {name: training.default_learning_rate(name) for name in training.OPTIMIZERS}
TRAINING_SIZES = (5_000, 10_000, 20_000, TRAIN_SIZE)
#: The dropout rate of the playground's "dropout" box (notebook 08's).
PLAYGROUND_DROPOUT = 0.25
#: The playground's status line tells the time left at most this often while training.
STATUS_EVERY_SECONDS = 1.0


class TrainingPlayground:
    """Pick an optimizer, learning rate, epochs, batch size, training images, batch norm and dropout; train.

    Training runs in the background, so the page stays live: the plot of loss and accuracy is redrawn
    after every epoch, the status line tells the time left, and **Stop** ends training after the
    current batch. Earlier runs stay on the plot, faintly, until **Clear runs**. Attributes: the
    controls (``optimizer``, ``learning_rate``, ``epochs``, ``batch_size``, ``train_size``,
    ``batch_norm``, ``dropout``), the buttons (``train_button``, ``stop_button``, ``clear_button``),
    ``status``, ``plot``, ``widget`` (the panel that holds them all, which a notebook shows), ``runs``
    (a list of ``(name, history)``), ``wait()`` to wait for the current run, and after a run ``model``,
    ``history`` and ``progress`` (its ``Progress`` callback).
    """

    #: The playground whose run is in progress: one at a time per kernel (they share its cores and
    #: Keras' global state, which ``Recipe.make_model`` resets).
    running: ClassVar[TrainingPlayground | None] = None

    def __init__(self, data=None):
        self.data = data or load_prepared()
        self.total = len(self.data.x_train)
        self.model, self.history, self.runs, self.progress = None, {}, [], None
        self.stop, self.thread, self.last_status = StopOnRequest(), None, 0.0
        self._make_controls()
        self.status = status_line(_("Choose the settings, then click Train. Small runs take seconds."))
        self.plot = widgets.Output()
        self.widget = Panel(_("Training playground ({count:,} training images)").format(count=self.total), [
            widgets.HBox([self.optimizer, self.learning_rate]), widgets.HBox([self.epochs, self.batch_size]),
            widgets.HBox([self.train_size, self.batch_norm, self.dropout]),
            widgets.HBox([self.train_button, self.stop_button, self.clear_button]), self.status, self.plot,
        ], "course-training-playground")
        self.optimizer.observe(self._on_optimizer, "value")
        self.train_button.on_click(self._on_train)
        self.stop_button.on_click(self._on_stop)
        self.clear_button.on_click(self._on_clear)

    def _make_controls(self) -> None:
        """The settings and the buttons."""
        sizes = [n for n in TRAINING_SIZES if n < self.total] + [self.total]
        self.optimizer = widgets.Dropdown(options=list(DEFAULT_LEARNING_RATES), value="rmsprop",
                                          description=_("Optimizer"))
        self.learning_rate = widgets.FloatLogSlider(DEFAULT_LEARNING_RATES["rmsprop"], base=10, min=-5, max=0,
                                                    step=0.25, readout_format=".2g", description=_("Learning rate"),
                                                    style={"description_width": "initial"})
        self.epochs = widgets.IntSlider(3, min=1, max=10, description=_("Epochs"))
        self.batch_size = widgets.Dropdown(options=[64, 128, 200, 256, 512], value=200, description=_("Batch size"))
        self.train_size = widgets.Dropdown(options=[(f"{n:,}", n) for n in sizes], value=sizes[0],
                                           description=_("Images"))
        self.batch_norm = widgets.Checkbox(False, description=_("batch norm"), indent=False)
        self.dropout = widgets.Checkbox(False, description=_("dropout {rate}").format(rate=PLAYGROUND_DROPOUT),
                                        indent=False)
        self.train_button = widgets.Button(description=_("Train"), icon="play", button_style="primary")
        self.stop_button = widgets.Button(description=_("Stop"), icon="stop", button_style="danger", disabled=True)
        self.clear_button = widgets.Button(description=_("Clear runs"), icon="trash", disabled=True)

    def __repr__(self) -> str:
        return repr(self.widget)

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """Shown in a notebook as its panel."""
        return self.widget._repr_mimebundle_(**kwargs)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the current run (if any) to end, at most ``timeout`` seconds."""
        if self.thread is not None:
            self.thread.join(timeout)

    def is_training(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    # --- The buttons ---------------------------------------------------------------------------

    def _on_optimizer(self, change) -> None:
        self.learning_rate.value = DEFAULT_LEARNING_RATES[change["new"]]

    def _on_train(self, _button=None) -> None:
        if self.is_training():
            return
        other = TrainingPlayground.running
        if other is not None and other is not self and other.is_training():
            self.status.value = _("Another training playground in this notebook is still training: press its Stop "
                                  "(or wait for it to finish), then click Train here.")
            return
        TrainingPlayground.running = self
        recipe = self._recipe()
        self.history, self.last_status = {}, time.perf_counter()
        self.runs.append((self._run_name(recipe), self.history))  # filled epoch by epoch
        self.stop = StopOnRequest()
        self.train_button.disabled, self.stop_button.disabled, self.clear_button.disabled = True, False, True
        self.status.value = _("Training on {count:,} images for {epochs} epochs...").format(count=recipe.train_size,
                                                                                            epochs=recipe.epochs)
        self.thread = threading.Thread(target=self._run, args=(recipe,), name="playground-training", daemon=True)
        self.thread.start()

    def _on_stop(self, _button=None) -> None:
        self.stop.request()
        self.stop_button.disabled = True
        self.status.value = _("Stopping after the current batch...")

    def _on_clear(self, _button=None) -> None:
        self.runs.clear()
        self.clear_button.disabled = True
        show_figure(self.plot)
        self.status.value = _("Runs cleared. Choose the settings, then click Train.")

    def _recipe(self) -> training.Recipe:
        """The recipe the controls say."""
        return training.Recipe(optimizer=self.optimizer.value, learning_rate=float(f"{self.learning_rate.value:.3g}"),
                               epochs=self.epochs.value, batch_size=self.batch_size.value,
                               train_size=min(self.train_size.value, self.total), batch_norm=self.batch_norm.value,
                               dropout=PLAYGROUND_DROPOUT if self.dropout.value else 0.0)

    def _run_name(self, recipe: training.Recipe) -> str:
        """The next run's name in the legend, e.g. 'run 2 (adam 0.001, batch 200, 5,000 images, dropout)'."""
        return (f"run {len(self.runs) + 1} ({recipe.optimizer} {recipe.learning_rate:.2g}, batch {recipe.batch_size}, "
                f"{recipe.train_size:,} images{', batch norm' if recipe.batch_norm else ''}"
                f"{', dropout' if recipe.dropout else ''})")

    # --- The training thread -------------------------------------------------------------------

    def _run(self, recipe: training.Recipe) -> None:
        """Train with ``recipe`` (on the training thread) and say how it ended."""
        self.progress = Progress(recipe.epochs, recipe.steps_per_epoch(), self._on_batch, self._on_epoch)
        try:
            self.model = training.train(recipe, self.data, verbose=0, callbacks=[self.progress, self.stop])[0]
            self.status.value = self._outcome(recipe)
        except Exception as error:  # noqa: BLE001 (show it to the student instead of a traceback in the log)
            detail = str(error).splitlines()[0][:200] if str(error) else ""
            reason = type(error).__name__ + (f": {detail}" if detail else "")
            self.status.value = _("Training stopped by an error ({reason}). Try fewer images or a smaller batch; "
                                  "if it happens again, restart the kernel.").format(reason=reason)
        finally:
            if self.runs and not self.runs[-1][1]:
                self.runs.pop()  # a run that failed before its first epoch leaves nothing to draw
            self.train_button.disabled, self.stop_button.disabled = False, True
            self.clear_button.disabled = not self.runs

    def _outcome(self, recipe: training.Recipe) -> str:
        """How the run that just ended went, in a sentence."""
        progress, seconds, accuracy = self.progress, self.progress.seconds(), self.history["val_accuracy"][-1]
        if progress.batches_done < recipe.epochs * progress.steps_per_epoch:
            return _("Stopped after {seconds:.0f} s, in epoch {epoch} at batch {batch} of {batches}: validation "
                     "accuracy {accuracy:.2%}.").format(seconds=seconds, epoch=progress.epoch + 1, batch=progress.batch,
                                                        batches=progress.steps_per_epoch, accuracy=accuracy)
        return _("Done in {seconds:.0f} s: validation accuracy {accuracy:.2%} after {epochs} epochs.").format(
            seconds=seconds, accuracy=accuracy, epochs=recipe.epochs)

    def _on_batch(self, progress: Progress) -> None:
        if self.stop.requested.is_set():
            return  # the status says it is stopping
        if time.perf_counter() - self.last_status >= STATUS_EVERY_SECONDS:
            self.last_status = time.perf_counter()
            self.status.value = _("Epoch {epoch} of {epochs}, batch {batch} of {batches} · {time_left}").format(
                epoch=progress.epoch + 1, epochs=progress.epochs, batch=progress.batch,
                batches=progress.steps_per_epoch, time_left=progress.time_left())

    def _on_epoch(self, progress: Progress, logs: dict) -> None:
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))
        with detached_figures():  # drawn on the training thread: keep it out of pyplot (and any cell's output)
            show_figure(self.plot, plot_recent_runs(self.runs))
        self.last_status = time.perf_counter()
        status = _("Epoch {epoch} of {epochs}: validation accuracy {accuracy:.2%}, loss {loss:.3f}").format(
            epoch=progress.epoch + 1, epochs=progress.epochs, accuracy=logs["val_accuracy"], loss=logs["val_loss"])
        if self.stop.requested.is_set():
            status += _(" · stopping")
        elif progress.epoch + 1 < progress.epochs:
            status += f" · {progress.time_left()}"
        self.status.value = status


def training_playground(data=None) -> TrainingPlayground:
    """The training playground (see ``TrainingPlayground``) on ``data`` (by default the prepared MNIST);
    a notebook shows it as its panel."""
    return TrainingPlayground(data)
