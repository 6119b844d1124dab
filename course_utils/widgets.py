"""Interactive widgets of the playground notebook: explore the test set, upload a digit, train.

Each builder returns a ``Panel`` (an ipywidgets VBox) that keeps its parts as attributes, so a test
or a curious student can drive it from Python: ``explorer.slider.value = 3``,
``playground.train_button.click()``. Figures are drawn with matplotlib into Output widgets by
setting their ``outputs`` (the widget equivalent of ``clear_output(wait=True)`` + ``display``):
they live in the widget's state and never leak into the notebook cell's own output.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import ipywidgets as widgets
import keras
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, ImageOps

from course_utils.evaluation import predict_probabilities
from course_utils.plotting import plot_history

#: Uploads above this size are refused before decoding.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Images with more pixels than this are refused (a 50-megapixel photo is plenty for one digit).
MAX_PIXELS = 50_000_000
#: MNIST digits fit in a 20x20 box, centred by centre of mass in a 28x28 field.
DIGIT_BOX = 20
IMAGE_SIZE = 28
#: The middle of a 28-pixel row (pixels are numbered 0 to 27).
FIELD_CENTRE = (IMAGE_SIZE - 1) / 2
#: Ink must differ from the paper by at least this much (of 255) to count as a digit.
MIN_CONTRAST = 40
#: The learning rate each optimizer starts with in the playground (their Keras defaults).
DEFAULT_LEARNING_RATES = {"rmsprop": 1e-3, "adam": 1e-3, "sgd": 1e-2}
TRAINING_SIZES = (5_000, 10_000, 20_000, 55_000)


class DigitImageError(ValueError):
    """An uploaded file cannot be turned into a digit; the message tells the student what to do."""


class Panel(widgets.VBox):
    """A VBox whose text form is a one-line summary instead of the long repr of all its children."""

    def __init__(self, summary: str, children: Sequence[widgets.Widget]):
        super().__init__(children)
        self.summary = summary

    def __repr__(self) -> str:
        return self.summary


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


def plot_prediction(image: np.ndarray, probabilities: np.ndarray, title: str, true_label: int | None = None):
    """A digit next to a bar chart of its 10 probabilities; a wrong guess in red, the truth in green."""
    predicted = int(np.argmax(probabilities))
    colors = ["C0"] * len(probabilities)
    wrong = true_label is not None and true_label != predicted
    if wrong:
        colors[predicted], colors[true_label] = "C3", "C2"
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.0, 3.0), gridspec_kw={"width_ratios": [1, 1.8]})
    left.imshow(np.squeeze(image), cmap="gray_r", vmin=0, vmax=1)
    left.set_title(title)
    left.axis("off")
    right.bar(np.arange(len(probabilities)), probabilities, color=colors)
    right.set(xticks=np.arange(len(probabilities)), ylim=(0, 1), xlabel="Digit",
              title="Probabilities (red: guess, green: true digit)" if wrong else "Probabilities")
    fig.tight_layout()
    return fig


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


# --- 1. Test set explorer ------------------------------------------------------------------------

def test_set_explorer(model, images: np.ndarray, labels: np.ndarray) -> Panel:
    """Browse the test digits with a slider: each with its true label, prediction and probabilities.

    Tick "only misclassified" to step through the model's mistakes only. Attributes: ``slider``,
    ``only_wrong``, ``status``, ``plot``, ``probabilities``, ``misclassified`` (indices).
    """
    labels = np.asarray(labels)
    probabilities = predict_probabilities(model, images)
    misclassified = np.flatnonzero(probabilities.argmax(axis=1) != labels)
    everything = np.arange(len(images))

    slider = widgets.IntSlider(0, min=0, max=len(images) - 1, description="Digit", continuous_update=False)
    only_wrong = widgets.Checkbox(False, description=f"only misclassified ({len(misclassified):,})", indent=False)
    status = widgets.Label()
    plot = widgets.Output()
    panel = Panel(f"Test set explorer ({len(images):,} digits)",
                  [widgets.HBox([slider, only_wrong]), status, plot])
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


# --- 2. Upload your own digit --------------------------------------------------------------------

NOT_AN_IMAGE = "This file is not an image that can be read. Choose a PNG or JPEG photo of one handwritten digit."


def _open_image(data: bytes) -> Image.Image:
    """Decode PNG or JPEG bytes into a grayscale image, refusing what is not a usable image."""
    if len(data) == 0:
        raise DigitImageError("The file is empty. Choose a PNG or JPEG photo of one handwritten digit.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise DigitImageError(f"The file is {len(data) / 2**20:.1f} MB; the limit is 10 MB. "
                              "Crop the photo around the digit, or save it smaller.")
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise DigitImageError(NOT_AN_IMAGE) from error
    if image.width * image.height > MAX_PIXELS:
        raise DigitImageError(f"The image is {image.width} x {image.height} pixels, too many to process. "
                              "Crop it around the digit, or save it smaller.")
    try:
        image.draft("L", (1024, 1024))  # JPEG only: decode big photos at a lower resolution, faster
        image = ImageOps.exif_transpose(image)  # phone photos: turn them the way they were taken
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")  # transparent parts count as white paper
            image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
        image = image.convert("L")
    except (OSError, SyntaxError, ValueError) as error:  # a damaged or truncated file
        raise DigitImageError(NOT_AN_IMAGE) from error
    image.thumbnail((512, 512))
    return image


def _ink(gray: np.ndarray) -> np.ndarray:
    """Ink strength 0-255 (high = ink), whatever the paper's colour, with the paper at 0."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    paper = float(np.median(border))
    if paper > 127:  # dark ink on light paper: MNIST digits are light on black, so invert
        gray, paper = 255 - gray, 255 - paper
    return np.clip(gray - paper, 0, None)


def _centre(glyph: np.ndarray) -> np.ndarray:
    """Paste a digit (at most 20x20) into a 28x28 field with its centre of mass in the middle."""
    rows, columns = np.indices(glyph.shape)
    mass = glyph.sum()
    height, width = glyph.shape
    top = int(np.clip(round(FIELD_CENTRE - (rows * glyph).sum() / mass), 0, IMAGE_SIZE - height))
    left = int(np.clip(round(FIELD_CENTRE - (columns * glyph).sum() / mass), 0, IMAGE_SIZE - width))
    field = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype="float32")
    field[top:top + height, left:left + width] = glyph
    return field


def preprocess_digit(data: bytes) -> np.ndarray:
    """Turn a photo or scan of one handwritten digit into a (28, 28) float32 image in [0, 1], like MNIST.

    Grayscale; invert when the paper is light; crop to the ink; scale to fit 20x20 keeping the aspect
    ratio; centre by centre of mass in 28x28. Raises ``DigitImageError`` with advice when it cannot.
    """
    ink = _ink(np.asarray(_open_image(bytes(data)), dtype="float32"))
    if ink.max() < MIN_CONTRAST:
        raise DigitImageError("No ink found: the image looks blank. Write the digit darker and bigger, "
                              "on plain paper, and try again.")
    ink[ink < 0.3 * ink.max()] = 0  # drop paper texture and shadows
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    scale = DIGIT_BOX / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    glyph = Image.fromarray((crop * (255 / crop.max())).astype("uint8")).resize(size, Image.Resampling.LANCZOS)
    return _centre(np.asarray(glyph, dtype="float32") / 255)


def digit_upload(model) -> Panel:
    """Upload a photo of one handwritten digit: see it prepared like MNIST, and what the model says.

    Attributes: ``upload`` (the FileUpload), ``status``, ``plot``, ``image`` and ``probabilities``
    of the last good upload.
    """
    upload = widgets.FileUpload(accept="image/png,image/jpeg,.png,.jpg,.jpeg", multiple=False,
                                description="Upload a digit")
    status = widgets.Label("Upload a PNG or JPEG photo of one handwritten digit (dark pen on white paper works best).")
    plot = widgets.Output()
    panel = Panel("Digit upload", [upload, status, plot])
    panel.upload, panel.status, panel.plot = upload, status, plot
    panel.image = panel.probabilities = None

    def on_upload(change) -> None:
        if not change["new"]:
            return
        try:
            image = preprocess_digit(change["new"][0]["content"])
        except DigitImageError as error:
            status.value = str(error)
            show_figure(plot)
            return
        probabilities = predict_digit(model, image)
        second = int(np.argsort(probabilities)[-2])
        status.value = (f"This looks like a {guess(probabilities)}. "
                        f"Second guess: {second} ({probabilities[second]:.0%}).")
        show_figure(plot, plot_prediction(image, probabilities, "What the model sees"))
        panel.image, panel.probabilities = image, probabilities

    upload.observe(on_upload, "value")
    return panel


# --- 3. Training playground ----------------------------------------------------------------------

def training_playground(data=None) -> Panel:
    """Pick an optimizer, learning rate, epochs, batch size and training images; train and watch.

    The plot of loss and accuracy is redrawn after every epoch. Attributes: the controls
    (``optimizer``, ``learning_rate``, ``epochs``, ``batch_size``, ``train_size``), ``train_button``,
    ``status``, ``plot``, and after a run ``model`` and ``history``.
    """
    from course_utils.data import load_prepared
    from course_utils.training import Recipe, train

    data = data or load_prepared()
    total = len(data.x_train)
    sizes = [n for n in TRAINING_SIZES if n < total] + [total]
    optimizer = widgets.Dropdown(options=list(DEFAULT_LEARNING_RATES), value="rmsprop", description="Optimizer")
    learning_rate = widgets.FloatLogSlider(DEFAULT_LEARNING_RATES["rmsprop"], base=10, min=-5, max=0, step=0.25,
                                           readout_format=".2g", description="Learning rate")
    epochs = widgets.IntSlider(3, min=1, max=10, description="Epochs")
    batch_size = widgets.Dropdown(options=[64, 128, 200, 256, 512], value=200, description="Batch size")
    train_size = widgets.Dropdown(options=[(f"{n:,}", n) for n in sizes], value=sizes[0], description="Images")
    train_button = widgets.Button(description="Train", icon="play", button_style="primary")
    status = widgets.Label("Choose the settings, then click Train. Small runs take seconds.")
    plot = widgets.Output()
    panel = Panel(f"Training playground ({total:,} training images)", [
        widgets.HBox([optimizer, learning_rate]), widgets.HBox([epochs, batch_size]),
        widgets.HBox([train_size, train_button]), status, plot,
    ])
    for name, part in dict(optimizer=optimizer, learning_rate=learning_rate, epochs=epochs, batch_size=batch_size,
                           train_size=train_size, train_button=train_button, status=status, plot=plot).items():
        setattr(panel, name, part)
    panel.model, panel.history = None, {}

    def on_optimizer(change) -> None:
        learning_rate.value = DEFAULT_LEARNING_RATES[change["new"]]

    def on_epoch(epoch: int, logs: dict) -> None:
        for name, value in logs.items():
            panel.history.setdefault(name, []).append(float(value))
        show_figure(plot, plot_history(panel.history))
        status.value = (f"Epoch {epoch + 1} of {epochs.value}: "
                        f"validation accuracy {logs['val_accuracy']:.2%}, loss {logs['val_loss']:.3f}")

    def on_train(_=None) -> None:
        train_button.disabled = True
        recipe = Recipe(optimizer=optimizer.value, learning_rate=float(f"{learning_rate.value:.3g}"),
                        epochs=epochs.value, batch_size=batch_size.value, train_size=train_size.value)
        panel.history = {}
        status.value = f"Training on {min(recipe.train_size, total):,} images for {recipe.epochs} epochs..."
        show_figure(plot)
        try:
            progress = keras.callbacks.LambdaCallback(on_epoch_end=on_epoch)
            panel.model, panel.history = train(recipe, data, verbose=0, callbacks=[progress])
            seconds = sum(panel.history["seconds"])
            status.value = (f"Done in {seconds:.0f} s: validation accuracy "
                            f"{panel.history['val_accuracy'][-1]:.2%} after {recipe.epochs} epochs.")
        except Exception as error:  # show it to the student instead of a traceback in the log
            status.value = f"Training stopped: {type(error).__name__}: {error}"
        finally:
            train_button.disabled = False

    optimizer.observe(on_optimizer, "value")
    train_button.on_click(on_train)
    return panel


#: The explorer under its new name (test_* names are collected by pytest).
digit_explorer = test_set_explorer
