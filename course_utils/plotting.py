"""Figures of the course, all in one look: digits, training curves, confusion matrix, mistakes."""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

COURSE_STYLE = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 80,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
    "image.cmap": "gray_r",
}


def use_course_style() -> None:
    """Apply the course's matplotlib settings (sizes, grid, a gray colour map for digits)."""
    plt.rcParams.update(COURSE_STYLE)


_detached = threading.local()


@contextlib.contextmanager
def detached_figures():
    """Within it, this module's functions build figures outside pyplot on the current thread.

    A widget that draws from its training thread uses it: a pyplot figure that exists while a notebook
    cell finishes would be shown in that cell's output (the inline backend shows every open figure).
    """
    _detached.active = True
    try:
        yield
    finally:
        _detached.active = False


def _subplots(nrows: int = 1, ncols: int = 1, *, figsize=None, **options):
    """``plt.subplots``, or a figure pyplot does not know of inside ``detached_figures()``."""
    if getattr(_detached, "active", False):
        fig = Figure(figsize=figsize)
        return fig, fig.subplots(nrows, ncols, **options)
    return plt.subplots(nrows, ncols, figsize=figsize, **options)


def _squeeze(image: np.ndarray) -> np.ndarray:
    return image[..., 0] if image.ndim == 3 else image


def show_digits(images: np.ndarray, titles: Sequence[str], columns: int = 10, title: str | None = None):
    """Show a grid of 28x28 digits (uint8 or prepared), each with a short title; return the figure."""
    rows = math.ceil(len(images) / columns)
    fig, axes = _subplots(rows, columns, figsize=(1.1 * columns, 1.3 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, text in zip(axes.flat, images, titles, strict=False):
        ax.imshow(_squeeze(image), cmap="gray_r")
        ax.set_title(text, fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_history(histories: dict[str, dict] | dict, metrics: Sequence[str] = ("loss", "accuracy")):
    """Notebook 05's figure: one panel per metric, training (solid) and validation (dashed) per run.

    ``histories`` is one history dict, or ``{run name: history}`` to compare runs. The loss panel has a
    log scale, so a loss near zero (and overfitting) stays visible.
    """
    if "loss" in histories:
        histories = {"": histories}
    fig, axes = _subplots(1, len(metrics), figsize=(5.5 * len(metrics), 4.0), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        for index, (name, history) in enumerate(histories.items()):
            color = f"C{index}"
            epochs = np.arange(1, len(history[metric]) + 1)
            prefix = f"{name}: " if name else ""
            ax.plot(epochs, history[metric], "-", color=color, label=f"{prefix}training")
            if f"val_{metric}" in history:
                ax.plot(epochs, history[f"val_{metric}"], "--", color=color, label=f"{prefix}validation")
        ax.set(xlabel="Epoch", ylabel=metric.capitalize() + (" (log scale)" if metric == "loss" else ""),
               title=metric.capitalize())
        if metric == "loss":
            ax.set_yscale("log")
        ax.xaxis.get_major_locator().set_params(integer=True)
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_recent_runs(runs: Sequence[tuple[str, dict]], earlier: int = 5):
    """The training playground's figure: the curves of the last of ``runs`` (``(name, history)`` pairs)
    in full colour, and of up to ``earlier`` runs before it, faintly."""
    runs = list(runs)[-(earlier + 1):]
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
    legend_height = 0.2 * math.ceil(len(labels) / 2) + 0.1
    fig.set_figheight(fig.get_figheight() + legend_height)
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8)
    fig.tight_layout(rect=(0, legend_height / fig.get_figheight(), 1, 1))
    return fig


def plot_runs(groups: dict[str, list], metrics: Sequence[str] = ("val_loss", "val_accuracy"), x: str = "epoch"):
    """Runs of several variants over seeds: the mean per epoch as a line, the seeds' range as a band.

    ``groups`` maps a variant name to its runs (objects with a ``history``), e.g. ``by_variant(runs)``.
    ``x="seconds"`` puts the mean training time on the x-axis instead of the epoch.
    """
    labels = {"loss": "Training loss", "accuracy": "Training accuracy", "val_loss": "Validation loss",
              "val_accuracy": "Validation accuracy"}
    fig, axes = _subplots(1, len(metrics), figsize=(5.5 * len(metrics), 4.0), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        for index, (name, runs) in enumerate(groups.items()):
            values = np.array([run.history[metric] for run in runs])
            if x == "seconds":
                position = np.cumsum(np.mean([run.history["seconds"] for run in runs], axis=0))
            else:
                position = np.arange(1, values.shape[1] + 1)
            ax.plot(position, values.mean(axis=0), "o-", color=f"C{index}", label=f"{name} (mean of {len(runs)})")
            if len(runs) > 1:
                ax.fill_between(position, values.min(axis=0), values.max(axis=0), color=f"C{index}", alpha=0.2)
        band = ", band: range over seeds" if any(len(r) > 1 for r in groups.values()) else ""
        ax.set(xlabel="Training time (s)" if x == "seconds" else "Epoch", ylabel=labels.get(metric, metric),
               title=labels.get(metric, metric) + band)
        if metric.endswith("loss"):
            ax.set_yscale("log")
        if x != "seconds":
            ax.xaxis.get_major_locator().set_params(integer=True)
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def show_misclassified(images: np.ndarray, true_labels: np.ndarray, probabilities: np.ndarray, limit: int = 30):
    """A gallery of misclassified digits titled 'predicted (confidence) / true', most confident first."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != true_labels)
    wrong = wrong[np.argsort(-probabilities[wrong, predicted[wrong]], kind="stable")][:limit]
    titles = [f"{predicted[i]} ({probabilities[i, predicted[i]]:.0%}) / {true_labels[i]}" for i in wrong]
    return show_digits(images[wrong], titles, title="Misclassified: predicted (confidence) / true")


def plot_prediction(image: np.ndarray, probabilities: np.ndarray, title: str, true_label: int | None = None,
                    photo=None):
    """A 28x28 digit next to a bar chart of its 10 probabilities; a wrong guess in red, the truth in green.

    ``photo`` (an image as it was uploaded) is shown first, so one sees what the preparation did.
    """
    predicted = int(np.argmax(probabilities))
    colors = ["C0"] * len(probabilities)
    wrong = true_label is not None and true_label != predicted
    if wrong:
        colors[predicted], colors[true_label] = "C3", "C2"
    widths = ([1] if photo is not None else []) + [1, 1.8]
    fig, axes = _subplots(1, len(widths), figsize=(2.5 * len(widths) + 2.0, 3.0),
                             gridspec_kw={"width_ratios": widths})
    if photo is not None:
        axes[0].imshow(photo)
        axes[0].set_title("Your photo")
        axes[0].axis("off")
    digit, bars = axes[-2:]
    digit.imshow(_squeeze(image), cmap="gray_r", vmin=0, vmax=1)
    digit.set_title(title)
    digit.axis("off")
    bars.bar(np.arange(len(probabilities)), probabilities, color=colors)
    bars.set(xticks=np.arange(len(probabilities)), ylim=(0, 1), xlabel="Digit",
             title="Probabilities (red: guess, green: true digit)" if wrong else "Probabilities")
    fig.tight_layout()
    return fig
