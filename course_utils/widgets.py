"""Interactive widgets: explore the test set, draw or upload a digit, train with your own settings.

Each builder returns a ``Panel`` (an ipywidgets VBox) that keeps its parts as attributes, so a test
or a curious student can drive it from Python: ``explorer.slider.value = 3``,
``canvas.canvas.ink = some_array``, ``playground.train_button.click()``. Figures are drawn with
matplotlib into Output widgets by setting their ``outputs`` (the widget equivalent of
``clear_output(wait=True)`` + ``display``): they live in the widget's state and never leak into the
notebook cell's own output. The drawing canvas is an ``anywidget``: its JavaScript,
``static/draw.js``, ships with this package, so the page needs no network.
"""

from __future__ import annotations

import base64
import io
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import anywidget
import ipywidgets as widgets
import keras
import matplotlib.pyplot as plt
import numpy as np
import traitlets

from course_utils import training
from course_utils.data import load_prepared
from course_utils.digit_image import (
    IMAGE_SIZE,
    MAX_UPLOAD_BYTES,
    DigitImageError,
    open_photo,
    prepare_drawing,
    prepare_photo,
)
from course_utils.evaluation import predict_probabilities
from course_utils.plotting import detached_figures, plot_history, plot_prediction

STATIC = Path(__file__).parent / "static"
OPTIMIZERS = ("rmsprop", "adam", "sgd")
#: The learning rate each optimizer starts with in the playground: the recipes' default for it.
DEFAULT_LEARNING_RATES = {name: training.default_learning_rate(name) for name in OPTIMIZERS}
TRAINING_SIZES = (5_000, 10_000, 20_000, 55_000)
#: The dropout rate of the playground's "dropout" box (notebook 08's).
PLAYGROUND_DROPOUT = 0.25
#: How many earlier runs the playground draws, faintly, beside the current one.
EARLIER_RUNS_SHOWN = 5
#: The playground's status line tells the time left at most this often while training.
STATUS_EVERY_SECONDS = 1.0
#: The training playground whose run is in progress: one at a time per kernel (they share its cores and
#: Keras' global state, which ``Recipe.make_model`` resets).
_TRAINING: dict = {"panel": None}


class Panel(widgets.VBox):
    """A VBox whose text form is a one-line summary instead of the long repr of all its children.

    ``css_class`` marks it in the page (the browser test finds each kind of panel by it).
    """

    def __init__(self, summary: str, children: Sequence[widgets.Widget], css_class: str):
        super().__init__(children)
        self.summary = summary
        self.add_class(css_class)

    def __repr__(self) -> str:
        return self.summary


def status_line(text: str = "") -> widgets.Label:
    """The line of a panel that says what is going on (marked for the browser test)."""
    label = widgets.Label(text)
    label.add_class("course-status")
    return label


# --- Drawing -------------------------------------------------------------------------------------

def show_figure(output: widgets.Output, fig=None) -> None:
    """Replace what ``output`` shows with ``fig`` as a PNG (or with nothing), and close the figure."""
    if fig is None:
        output.outputs = ()
        return
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    output.outputs = ({"output_type": "display_data", "metadata": {},
                       "data": {"image/png": png, "text/plain": "<Figure>"}},)


# --- Predictions ---------------------------------------------------------------------------------

def predict_digit(model, image: np.ndarray) -> np.ndarray:
    """The 10 probabilities for one 28x28 image in [0, 1] (fast: no ``model.predict`` overhead)."""
    image = np.asarray(image, dtype="float32")
    if image.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"predict_digit expects one {IMAGE_SIZE}x{IMAGE_SIZE} image, got shape {image.shape}")
    return predict_probabilities(model, image[np.newaxis, :, :, np.newaxis])[0]


def guess(probabilities: np.ndarray) -> str:
    """The most likely digit and its probability, e.g. '7 (99%)'."""
    predicted = int(np.argmax(probabilities))
    return f"{predicted} ({probabilities[predicted]:.0%})"


def verdict(probabilities: np.ndarray) -> str:
    """The model's first and second guesses in a sentence."""
    second = int(np.argsort(probabilities)[-2])
    return f"This looks like a {guess(probabilities)}. Second guess: {second} ({probabilities[second]:.0%})."


# --- 1. Test set explorer ------------------------------------------------------------------------

def digit_explorer(model, images: np.ndarray, labels: np.ndarray) -> Panel:
    """Browse the test digits with a slider: each with its true label, prediction and probabilities.

    Tick "only misclassified" to step through the model's mistakes only. Attributes: ``slider``,
    ``only_wrong``, ``status``, ``plot``, ``probabilities``, ``misclassified`` (indices).
    """
    labels = np.asarray(labels)
    probabilities = predict_probabilities(model, images)
    misclassified = np.flatnonzero(probabilities.argmax(axis=1) != labels)
    everything = np.arange(len(images))

    slider = widgets.IntSlider(0, min=0, max=len(images) - 1, description="Test image", continuous_update=False,
                               style={"description_width": "initial"})
    only_wrong = widgets.Checkbox(False, description=f"only misclassified ({len(misclassified):,})", indent=False)
    status = status_line()
    plot = widgets.Output()
    panel = Panel(f"Test set explorer ({len(images):,} digits)",
                  [widgets.HBox([slider, only_wrong]), status, plot], "course-digit-explorer")
    panel.slider, panel.only_wrong, panel.status, panel.plot = slider, only_wrong, status, plot
    panel.probabilities, panel.misclassified = probabilities, misclassified
    panel.shown = everything  # the test indices the slider steps through

    def show(_=None) -> None:
        if len(panel.shown) == 0:
            status.value = "No misclassified digits: the model gets every one of them right."
            show_figure(plot)
            return
        index = int(panel.shown[slider.value])
        truth = int(labels[index])
        mark = "✔" if truth == probabilities[index].argmax() else "✘ a mistake"
        status.value = f"Test image {index:,}: true {truth} · predicted {guess(probabilities[index])} {mark}"
        show_figure(plot, plot_prediction(images[index], probabilities[index], f"Test image {index:,}", truth))

    def restrict(_=None) -> None:
        panel.shown = misclassified if only_wrong.value else everything
        slider.disabled = len(panel.shown) == 0
        moved = slider.value != 0
        slider.value = 0  # when it moves, the slider's observer redraws
        slider.max = max(len(panel.shown) - 1, 0)
        if not moved:
            show()

    slider.observe(show, "value")
    only_wrong.observe(restrict, "value")
    show()
    return panel


# --- 2. Draw a digit -----------------------------------------------------------------------------

class DrawingCanvas(anywidget.AnyWidget):
    """A square canvas to draw one digit on, with a mouse, a pen or a finger, and a Clear button.

    ``image`` is the drawing, synchronised with the page: ``size`` x ``size`` bytes of ink (0 none,
    255 full), row by row, or empty before anything is drawn. ``ink`` reads and writes it as an
    array. Setting either from Python shows that drawing on the canvas.
    """

    _esm = STATIC / "draw.js"
    size = traitlets.Int(112).tag(sync=True)  # 4 times MNIST's 28: enough detail for the preparation
    display_size = traitlets.Int(280).tag(sync=True)  # CSS pixels
    pen_width = traitlets.Float(0.07).tag(sync=True)  # of the side: strokes about as thick as MNIST's
    send_every_ms = traitlets.Int(300).tag(sync=True)  # while a stroke goes on: each update takes ~0.1 s
    image = traitlets.Bytes(b"").tag(sync=True, **widgets.trait_types.bytes_serialization)

    @traitlets.validate("image")
    def _one_square_image(self, proposal):
        image = bytes(proposal["value"])
        if len(image) not in (0, self.size**2):
            raise traitlets.TraitError(f"image holds {self.size}x{self.size} = {self.size**2} bytes, got {len(image)}")
        return image

    @property
    def ink(self) -> np.ndarray:
        """The drawing as a (size, size) uint8 array (zeros when nothing is drawn)."""
        if not self.image:
            return np.zeros((self.size, self.size), dtype="uint8")
        return np.frombuffer(self.image, dtype="uint8").reshape(self.size, self.size)

    @ink.setter
    def ink(self, array: np.ndarray) -> None:
        array = np.asarray(array)
        if array.shape != (self.size, self.size):
            raise ValueError(f"ink is a {self.size}x{self.size} array, got shape {array.shape}")
        self.image = np.clip(array, 0, 255).astype("uint8").tobytes()


def draw_digit(model) -> Panel:
    """Draw a digit with the mouse, a pen or a finger; see it prepared like MNIST and what the model says.

    The prepared 28x28 image and the 10 probabilities follow the drawing as it grows. An empty canvas
    or a drawing too small to read gets advice instead of a guess. Attributes: ``canvas`` (a
    ``DrawingCanvas``), ``status``, ``plot``, and ``image`` and ``probabilities`` of the current drawing
    (None when there is nothing to read).
    """
    canvas = DrawingCanvas()
    status = status_line()
    plot = widgets.Output(layout=widgets.Layout(min_width="560px"))
    panel = Panel("Draw a digit", [widgets.HBox([canvas, plot]), status], "course-draw-digit")
    panel.canvas, panel.status, panel.plot = canvas, status, plot

    def read(_=None) -> None:
        try:
            image = prepare_drawing(canvas.ink)
        except DigitImageError as error:
            panel.image = panel.probabilities = None
            status.value = str(error)
            show_figure(plot)
            return
        panel.image, panel.probabilities = image, predict_digit(model, image)
        status.value = verdict(panel.probabilities)
        show_figure(plot, plot_prediction(image, panel.probabilities, "What the model sees"))

    canvas.observe(read, "image")
    read()
    return panel


# --- 3. Upload your own digit --------------------------------------------------------------------

def digit_upload(model) -> Panel:
    """Upload a photo of one handwritten digit: see it as uploaded, prepared like MNIST, and what the model says.

    Attributes: ``upload`` (the FileUpload), ``status``, ``plot``, and ``photo``, ``image`` and
    ``probabilities`` of the last good upload.
    """
    upload = widgets.FileUpload(accept="image/png,image/jpeg,.png,.jpg,.jpeg", multiple=False,
                                description="Upload a digit")
    status = status_line(f"Upload a PNG or JPEG photo of one handwritten digit, up to {MAX_UPLOAD_BYTES // 2**20} MB "
                         "(dark pen on white paper works best).")
    plot = widgets.Output()
    panel = Panel("Digit upload", [upload, status, plot], "course-digit-upload")
    panel.upload, panel.status, panel.plot = upload, status, plot
    panel.photo = panel.image = panel.probabilities = None

    def on_upload(change) -> None:
        if not change["new"]:
            return
        try:
            photo = open_photo(change["new"][0]["content"])
            image = prepare_photo(photo)
        except DigitImageError as error:
            status.value = str(error)
            show_figure(plot)
            return
        probabilities = predict_digit(model, image)
        status.value = verdict(probabilities)
        show_figure(plot, plot_prediction(image, probabilities, "What the model sees", photo=photo))
        panel.photo, panel.image, panel.probabilities = photo, image, probabilities

    upload.observe(on_upload, "value")
    return panel


# --- 4. Training playground ----------------------------------------------------------------------

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
    """A Keras callback that counts batches and estimates the seconds left from the pace so far."""

    def __init__(self, epochs: int, steps_per_epoch: int, on_batch=None, on_epoch=None):
        super().__init__()
        self.epochs, self.steps_per_epoch = epochs, steps_per_epoch
        self.on_batch, self.on_epoch = on_batch, on_epoch
        self.epoch = self.batch = self.batches_done = 0

    def seconds_left(self) -> float:
        """The time the remaining batches take at the pace so far (validation included)."""
        done = self.batches_done / (self.epochs * self.steps_per_epoch)
        return (time.perf_counter() - self.start) * (1 - done) / done if done else float("nan")

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


def duration(seconds: float) -> str:
    """'12 s' or '3 min', for a time left."""
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def plot_runs(runs: Sequence[tuple[str, dict]]):
    """The curves of the last run in full colour, and of up to 5 runs before it, faintly."""
    runs = list(runs)[-(EARLIER_RUNS_SHOWN + 1):]
    fig = plot_history(dict(runs))
    current = runs[-1][0] + ":"
    longest = max(len(history["loss"]) for _, history in runs)
    for ax in fig.axes:
        ax.set(xlim=(0.5, longest + 0.5), xticks=np.arange(1, longest + 1))
        for line in ax.get_lines():
            line.set(marker="o", markersize=3)  # a run stopped in its first epoch is one point
            if not line.get_label().startswith(current):
                line.set(alpha=0.3, linewidth=1.0)
    # The legend under the panels, where it hides no curve (made again, so faint lines show faint).
    handles, labels = fig.axes[0].get_legend_handles_labels()
    fig.axes[0].get_legend().remove()
    legend_height = 0.2 * -(-len(labels) // 2) + 0.1
    fig.set_figheight(fig.get_figheight() + legend_height)
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8)
    fig.tight_layout(rect=(0, legend_height / fig.get_figheight(), 1, 1))
    return fig


def training_playground(data=None) -> Panel:
    """Pick an optimizer, learning rate, epochs, batch size, training images, batch norm and dropout; train.

    Training runs in the background, so the page stays live: the plot of loss and accuracy is redrawn
    after every epoch, the status line tells the time left, and **Stop** ends training after the
    current batch. Earlier runs stay on the plot, faintly, until **Clear runs**. Attributes: the
    controls (``optimizer``, ``learning_rate``, ``epochs``, ``batch_size``, ``train_size``,
    ``batch_norm``, ``dropout``), the buttons (``train_button``, ``stop_button``, ``clear_button``),
    ``status``, ``plot``, ``runs`` (a list of ``(name, history)``), ``wait()`` to wait for the current
    run, and after a run ``model``, ``history`` and ``progress`` (its ``Progress`` callback).
    """
    data = data or load_prepared()
    total = len(data.x_train)
    sizes = [n for n in TRAINING_SIZES if n < total] + [total]
    optimizer = widgets.Dropdown(options=list(DEFAULT_LEARNING_RATES), value="rmsprop", description="Optimizer")
    learning_rate = widgets.FloatLogSlider(DEFAULT_LEARNING_RATES["rmsprop"], base=10, min=-5, max=0, step=0.25,
                                           readout_format=".2g", description="Learning rate",
                                           style={"description_width": "initial"})
    epochs = widgets.IntSlider(3, min=1, max=10, description="Epochs")
    batch_size = widgets.Dropdown(options=[64, 128, 200, 256, 512], value=200, description="Batch size")
    train_size = widgets.Dropdown(options=[(f"{n:,}", n) for n in sizes], value=sizes[0], description="Images")
    batch_norm = widgets.Checkbox(False, description="batch norm", indent=False)
    dropout = widgets.Checkbox(False, description=f"dropout {PLAYGROUND_DROPOUT}", indent=False)
    train_button = widgets.Button(description="Train", icon="play", button_style="primary")
    stop_button = widgets.Button(description="Stop", icon="stop", button_style="danger", disabled=True)
    clear_button = widgets.Button(description="Clear runs", icon="trash", disabled=True)
    status = status_line("Choose the settings, then click Train. Small runs take seconds.")
    plot = widgets.Output()
    panel = Panel(f"Training playground ({total:,} training images)", [
        widgets.HBox([optimizer, learning_rate]), widgets.HBox([epochs, batch_size]),
        widgets.HBox([train_size, batch_norm, dropout]), widgets.HBox([train_button, stop_button, clear_button]),
        status, plot,
    ], "course-training-playground")
    for name, part in dict(optimizer=optimizer, learning_rate=learning_rate, epochs=epochs, batch_size=batch_size,
                           train_size=train_size, batch_norm=batch_norm, dropout=dropout, train_button=train_button,
                           stop_button=stop_button, clear_button=clear_button, status=status, plot=plot).items():
        setattr(panel, name, part)
    panel.model, panel.history, panel.runs = None, {}, []
    panel.stop, panel.thread = StopOnRequest(), None

    def on_optimizer(change) -> None:
        learning_rate.value = DEFAULT_LEARNING_RATES[change["new"]]

    def on_batch(progress: Progress) -> None:
        if panel.stop.requested.is_set():
            return  # the status says it is stopping
        if time.perf_counter() - panel.last_status >= STATUS_EVERY_SECONDS:
            panel.last_status = time.perf_counter()
            status.value = (f"Epoch {progress.epoch + 1} of {progress.epochs}, batch {progress.batch} of "
                            f"{progress.steps_per_epoch} · about {duration(progress.seconds_left())} left")

    def on_epoch(progress: Progress, logs: dict) -> None:
        for name, value in logs.items():
            panel.history.setdefault(name, []).append(float(value))
        with detached_figures():  # drawn on the training thread: keep it out of pyplot (and any cell's output)
            show_figure(plot, plot_runs(panel.runs))
        panel.last_status = time.perf_counter()
        status.value = (f"Epoch {progress.epoch + 1} of {progress.epochs}: validation accuracy "
                        f"{logs['val_accuracy']:.2%}, loss {logs['val_loss']:.3f}")
        if panel.stop.requested.is_set():
            status.value += " · stopping"
        elif progress.epoch + 1 < progress.epochs:
            status.value += f" · about {duration(progress.seconds_left())} left"

    def run(recipe: training.Recipe) -> None:
        panel.progress = progress = Progress(recipe.epochs, recipe.steps_per_epoch(), on_batch, on_epoch)
        try:
            panel.model, _ = training.train(recipe, data, verbose=0, callbacks=[progress, panel.stop])
            seconds = time.perf_counter() - progress.start
            accuracy = panel.history["val_accuracy"][-1]
            if progress.batches_done < recipe.epochs * progress.steps_per_epoch:
                status.value = (f"Stopped after {seconds:.0f} s, in epoch {progress.epoch + 1} at batch "
                                f"{progress.batch} of {progress.steps_per_epoch}: validation accuracy {accuracy:.2%}.")
            else:
                status.value = f"Done in {seconds:.0f} s: validation accuracy {accuracy:.2%} after {recipe.epochs} epochs."
        except Exception as error:  # show it to the student instead of a traceback in the log
            detail = str(error).splitlines()[0][:200] if str(error) else ""
            status.value = (f"Training stopped by an error ({type(error).__name__}{': ' + detail if detail else ''}). "
                            "Try fewer images or a smaller batch; if it happens again, restart the kernel.")
        finally:
            if panel.runs and not panel.runs[-1][1]:
                panel.runs.pop()  # a run that failed before its first epoch leaves nothing to draw
            train_button.disabled, stop_button.disabled = False, True
            clear_button.disabled = not panel.runs

    def on_train(_=None) -> None:
        if panel.thread is not None and panel.thread.is_alive():
            return
        other = _TRAINING.get("panel")
        if other is not None and other is not panel and other.thread is not None and other.thread.is_alive():
            status.value = ("Another training playground in this notebook is still training: press its Stop "
                            "(or wait for it to finish), then click Train here.")
            return
        _TRAINING["panel"] = panel
        recipe = training.Recipe(optimizer=optimizer.value, learning_rate=float(f"{learning_rate.value:.3g}"),
                                 epochs=epochs.value, batch_size=batch_size.value,
                                 train_size=min(train_size.value, total), batch_norm=batch_norm.value,
                                 dropout=PLAYGROUND_DROPOUT if dropout.value else 0.0)
        name = (f"run {len(panel.runs) + 1} ({recipe.optimizer} {recipe.learning_rate:.2g}, batch {recipe.batch_size}, "
                f"{recipe.train_size:,} images{', batch norm' if recipe.batch_norm else ''}"
                f"{', dropout' if recipe.dropout else ''})")
        panel.history, panel.last_status = {}, time.perf_counter()
        panel.runs.append((name, panel.history))  # filled epoch by epoch
        panel.stop = StopOnRequest()
        train_button.disabled, stop_button.disabled, clear_button.disabled = True, False, True
        status.value = f"Training on {recipe.train_size:,} images for {recipe.epochs} epochs..."
        panel.thread = threading.Thread(target=run, args=(recipe,), name="playground-training", daemon=True)
        panel.thread.start()

    def on_stop(_=None) -> None:
        panel.stop.request()
        stop_button.disabled = True
        status.value = "Stopping after the current batch..."

    def on_clear(_=None) -> None:
        panel.runs.clear()
        clear_button.disabled = True
        show_figure(plot)
        status.value = "Runs cleared. Choose the settings, then click Train."

    def wait(timeout: float | None = None) -> None:
        if panel.thread is not None:
            panel.thread.join(timeout)

    optimizer.observe(on_optimizer, "value")
    train_button.on_click(on_train)
    stop_button.on_click(on_stop)
    clear_button.on_click(on_clear)
    panel.wait = wait
    return panel

