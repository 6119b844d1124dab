"""Interactive widgets: explore the test set, draw or upload a digit, train with your own settings.

Each builder returns something a notebook shows and that keeps its parts as attributes, so a test or a
curious student can drive it from Python: ``explorer.slider.value = 3``, ``canvas.canvas.ink =
some_array``, ``playground.train_button.click()``. The explorer, the canvas and the upload are a
``Panel`` (an ipywidgets VBox); the playground is a ``TrainingPlayground``, shown as its ``widget``.
Figures are drawn with matplotlib into Output widgets by setting their ``outputs`` (the widget
equivalent of ``clear_output(wait=True)`` + ``display``): they live in the widget's state and never
leak into the notebook cell's own output. The drawing canvas is an ``anywidget``: its JavaScript,
``static/draw.js``, ships with this package, so the page needs no network.

- ``explorer``: ``digit_explorer``, the test set explorer;
- ``digits``: ``draw_digit`` (on a ``DrawingCanvas``) and ``digit_upload``, your own digit;
- ``playground``: ``training_playground``, a ``TrainingPlayground``;
- ``common``: what they share (``Panel``, ``show_figure``, ``predict_digit`` and the guess in words).
"""

from __future__ import annotations

from course_utils.widgets.common import Panel, guess, predict_digit, show_figure, status_line, verdict
from course_utils.widgets.digits import DrawingCanvas, digit_upload, draw_digit
from course_utils.widgets.explorer import digit_explorer
from course_utils.widgets.playground import TrainingPlayground, training_playground

__all__ = [
    "DrawingCanvas", "Panel", "TrainingPlayground", "digit_explorer", "digit_upload", "draw_digit", "guess",
    "predict_digit", "show_figure", "status_line", "training_playground", "verdict",
]
