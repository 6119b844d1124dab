"""Your own digit: draw it on a canvas, or upload a photo of it; see it prepared like MNIST and what
the model says. The canvas is an ``anywidget`` whose JavaScript, ``static/draw.js``, ships with the package."""

from __future__ import annotations

from pathlib import Path

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from course_utils.digit_image import MAX_UPLOAD_BYTES, DigitImageError, open_photo, prepare_drawing, prepare_photo
from course_utils.i18n import _
from course_utils.plotting import plot_prediction
from course_utils.widgets.common import Panel, predict_digit, show_figure, status_line, verdict

STATIC = Path(__file__).parents[1] / "static"


# --- Draw a digit --------------------------------------------------------------------------------

class DrawingCanvas(anywidget.AnyWidget):
    """A square canvas to draw one digit on, with a mouse, a pen or a finger, and a Clear button.

    ``image`` is the drawing, synchronised with the page: ``size`` x ``size`` bytes of ink (0 none,
    255 full), row by row, or empty before anything is drawn. ``ink`` reads and writes it as an
    array. Setting either from Python shows that drawing on the canvas. ``clear_label`` and
    ``canvas_label`` are the button's text and the canvas' accessible name, in the language spoken
    when the canvas is made.
    """

    _esm = STATIC / "draw.js"
    size = traitlets.Int(112).tag(sync=True)  # 4 times MNIST's 28: enough detail for the preparation
    display_size = traitlets.Int(280).tag(sync=True)  # CSS pixels
    pen_width = traitlets.Float(0.07).tag(sync=True)  # of the side: strokes about as thick as MNIST's
    send_every_ms = traitlets.Int(300).tag(sync=True)  # while a stroke goes on: each update takes ~0.1 s
    image = traitlets.Bytes(b"").tag(sync=True, **widgets.trait_types.bytes_serialization)
    # What the page shows in words, in the course's language when the canvas is made (draw.js reads them).
    clear_label = traitlets.Unicode().tag(sync=True)  # the Clear button's text
    canvas_label = traitlets.Unicode().tag(sync=True)  # the canvas' accessible name (its aria-label)

    @traitlets.default("clear_label")
    def _clear_label(self) -> str:
        # Translators: the button under the drawing canvas that wipes the drawing.
        return _("Clear")

    @traitlets.default("canvas_label")
    def _canvas_label(self) -> str:
        # Translators: what a screen reader says for the drawing canvas (its aria-label).
        return _("Drawing area: draw one digit with the mouse, a pen or a finger")

    @traitlets.validate("image")
    def _one_square_image(self, proposal):
        image = bytes(proposal["value"])
        if len(image) not in (0, self.size**2):
            raise traitlets.TraitError(_("image holds {size}x{size} = {bytes} bytes, got {count}").format(
                size=self.size, bytes=self.size**2, count=len(image)))
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
            raise ValueError(_("ink is a {size}x{size} array, got shape {shape}").format(size=self.size,
                                                                                        shape=array.shape))
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
    panel = Panel(_("Draw a digit"), [widgets.HBox([canvas, plot]), status], "course-draw-digit")
    panel.canvas, panel.status, panel.plot = canvas, status, plot

    def read(_change=None) -> None:
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


# --- Upload your own digit -----------------------------------------------------------------------

def digit_upload(model) -> Panel:
    """Upload a photo of one handwritten digit: see it as uploaded, prepared like MNIST, and what the model says.

    Attributes: ``upload`` (the FileUpload), ``status``, ``plot``, and ``photo``, ``image`` and
    ``probabilities`` of the last good upload.
    """
    upload = widgets.FileUpload(accept="image/png,image/jpeg,.png,.jpg,.jpeg", multiple=False,
                                description=_("Upload a digit"))
    status = status_line(_("Upload a PNG or JPEG photo of one handwritten digit, up to {megabytes} MB "
                           "(dark pen on white paper works best).").format(megabytes=MAX_UPLOAD_BYTES // 2**20))
    plot = widgets.Output()
    panel = Panel(_("Digit upload"), [upload, status, plot], "course-digit-upload")
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
