"""What the widget panels share: the panel itself, its status line, figures in an Output widget,
and the model's guess for one digit in words."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from course_utils.digit_image import IMAGE_SIZE
from course_utils.evaluation import predict_probabilities
from course_utils.i18n import _


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
        raise ValueError(_("predict_digit expects one {size}x{size} image, got shape {shape}").format(
            size=IMAGE_SIZE, shape=image.shape))
    return predict_probabilities(model, image[np.newaxis, :, :, np.newaxis])[0]


def guess(probabilities: np.ndarray) -> str:
    """The most likely digit and its probability, e.g. '7 (99%)'."""
    predicted = int(np.argmax(probabilities))
    return _("{digit} ({probability:.0%})").format(digit=predicted, probability=probabilities[predicted])


def verdict(probabilities: np.ndarray) -> str:
    """The model's first and second guesses in a sentence."""
    second = int(np.argsort(probabilities)[-2])
    return _("This looks like a {guess}. Second guess: {second} ({probability:.0%}).").format(
        guess=guess(probabilities), second=second, probability=probabilities[second])
