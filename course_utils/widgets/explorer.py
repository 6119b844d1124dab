"""The test set explorer: step through the test digits, or only the model's mistakes."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from course_utils.evaluation import predict_probabilities
from course_utils.i18n import _
from course_utils.plotting import plot_prediction
from course_utils.widgets.common import Panel, guess, show_figure, status_line


def digit_explorer(model, images: np.ndarray, labels: np.ndarray) -> Panel:
    """Browse the test digits with a slider: each with its true label, prediction and probabilities.

    Tick "only misclassified" to step through the model's mistakes only. Attributes: ``slider``,
    ``only_wrong``, ``status``, ``plot``, ``probabilities``, ``misclassified`` (indices).
    """
    labels = np.asarray(labels)
    probabilities = predict_probabilities(model, images)
    misclassified = np.flatnonzero(probabilities.argmax(axis=1) != labels)
    everything = np.arange(len(images))

    slider = widgets.IntSlider(0, min=0, max=len(images) - 1, description=_("Test image"), continuous_update=False,
                               style={"description_width": "initial"})
    only_wrong = widgets.Checkbox(False, description=_("only misclassified ({count:,})").format(
        count=len(misclassified)), indent=False)
    status = status_line()
    plot = widgets.Output()
    panel = Panel(_("Test set explorer ({count:,} digits)").format(count=len(images)),
                  [widgets.HBox([slider, only_wrong]), status, plot], "course-digit-explorer")
    panel.slider, panel.only_wrong, panel.status, panel.plot = slider, only_wrong, status, plot
    panel.probabilities, panel.misclassified = probabilities, misclassified
    panel.shown = everything  # the test indices the slider steps through

    def show(_change=None) -> None:
        if len(panel.shown) == 0:
            status.value = _("No misclassified digits: the model gets every one of them right.")
            show_figure(plot)
            return
        index = int(panel.shown[slider.value])
        truth = int(labels[index])
        mark = "✔" if truth == probabilities[index].argmax() else _("✘ a mistake")
        status.value = _("Test image {index:,}: true {truth} · predicted {guess} {mark}").format(
            index=index, truth=truth, guess=guess(probabilities[index]), mark=mark)
        show_figure(plot, plot_prediction(images[index], probabilities[index], f"Test image {index:,}", truth))

    def restrict(_change=None) -> None:
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
