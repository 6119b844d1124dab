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
            seeds = f"mean of {len(runs)} seeds" if len(runs) > 1 else "1 seed"
            ax.plot(position, values.mean(axis=0), "o-", color=f"C{index}", label=f"{name} ({seeds})")
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


def plot_dropout(layer_sizes: Sequence[int] = (4, 8, 8, 3), silenced: dict[int, Sequence[int]] | None = None,
                 rate: float = 0.25, seed: int = 2):
    """Dropout in a picture (notebook 08): a small dense network drawn twice, side by side.

    Left, at prediction time: every unit and every connection. Right, one training step: some units of
    each hidden layer are silenced (drawn hollow and crossed out), and the connections to and from them
    are gone. ``silenced`` maps a hidden layer (1 to ``len(layer_sizes) - 2``) to the units it silences;
    by default ``round(rate * units)`` units of each hidden layer, picked at random with ``seed`` (the
    next training step would pick others). Connections are lines with gid "connection", units circles
    with gid "unit" or "silenced", so a test can count them. Returns the figure.
    """
    sizes = [int(size) for size in layer_sizes]
    if len(sizes) < 3 or min(sizes) < 1:
        raise ValueError(f"layer_sizes needs an input, at least one hidden layer and an output, got {layer_sizes}")
    hidden = range(1, len(sizes) - 1)
    dropped = _dropped_units(sizes, silenced, rate, seed)
    height = max(sizes)
    fig, axes = _subplots(1, 2, figsize=(10.0, 0.5 * height + 1.5))
    hidden_count = sum(sizes[layer] for layer in hidden)
    titles = ("At prediction time: every unit works",
              f"One training step: {len(dropped)} of {hidden_count} hidden units silenced")
    for ax, title, gone in zip(axes, titles, (set(), dropped), strict=True):
        _draw_network(ax, sizes, gone, title)
    _dropout_legend(fig)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def _dropped_units(sizes: list[int], silenced: dict[int, Sequence[int]] | None, rate: float,
                   seed: int) -> set[tuple[int, int]]:
    """The (layer, unit) pairs ``plot_dropout`` silences: ``silenced``'s, or ``round(rate * units)`` units of each
    hidden layer picked at random with ``seed``; a ValueError for a unit that is not a hidden one."""
    hidden = range(1, len(sizes) - 1)
    if silenced is None:
        rng = np.random.default_rng(seed)
        silenced = {layer: rng.choice(sizes[layer], size=round(rate * sizes[layer]), replace=False).tolist()
                    for layer in hidden}
    dropped = {(layer, int(unit)) for layer, units in silenced.items() for unit in units}
    for layer, unit in sorted(dropped):
        if layer not in hidden or not 0 <= unit < sizes[layer]:
            raise ValueError(f"unit {unit} of layer {layer} is not a hidden unit: dropout silences hidden units "
                             f"only (layers 1 to {len(sizes) - 2})")
    return dropped


#: plot_dropout's distance between layers, in unit heights.
_LAYER_SPACING = 2.0


def _draw_network(ax, sizes: list[int], gone: set[tuple[int, int]], title: str) -> None:
    """One panel of ``plot_dropout``: the dense network of ``sizes`` on ``ax``, the units of ``gone`` silenced
    (hollow, crossed out, without their connections), each layer named below it, and ``title`` above."""
    from matplotlib.patches import Circle

    height, spacing = max(sizes), _LAYER_SPACING
    position = {(layer, unit): (spacing * layer, unit - (size - 1) / 2)
                for layer, size in enumerate(sizes) for unit in range(size)}
    for layer in range(len(sizes) - 1):
        for start in range(sizes[layer]):
            for end in range(sizes[layer + 1]):
                if (layer, start) in gone or (layer + 1, end) in gone:
                    continue
                (x0, y0), (x1, y1) = position[layer, start], position[layer + 1, end]
                ax.plot([x0, x1], [y0, y1], color="0.65", linewidth=0.8, zorder=1, gid="connection")
    for (layer, unit), (x, y) in position.items():
        if (layer, unit) in gone:
            ax.add_patch(Circle((x, y), 0.2, facecolor="white", edgecolor="0.5", linestyle="--", zorder=2,
                                gid="silenced"))
            ax.plot([x - 0.12, x + 0.12], [y - 0.12, y + 0.12], color="C3", linewidth=1.5, zorder=3)
            ax.plot([x - 0.12, x + 0.12], [y + 0.12, y - 0.12], color="C3", linewidth=1.5, zorder=3)
        else:
            ax.add_patch(Circle((x, y), 0.2, facecolor="C0", edgecolor="black", linewidth=0.8, zorder=2,
                                gid="unit"))
    names = ["input"] + ["hidden"] * (len(sizes) - 2) + ["output"]
    for layer, name in enumerate(names):
        ax.text(spacing * layer, -height / 2 - 0.4, name, ha="center", va="top", fontsize=10)
    ax.set_title(title, fontsize=11)
    ax.set(xlim=(-0.6, spacing * (len(sizes) - 1) + 0.6), ylim=(-height / 2 - 1.0, height / 2 + 0.2),
           aspect="equal")
    ax.axis("off")


def _dropout_legend(fig) -> None:
    """``plot_dropout``'s legend: a unit at work, a silenced unit, a connection."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor="C0", markeredgecolor="black",
                      markersize=10, label="a unit at work"),
               Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="0.5",
                      markersize=10, label="a silenced unit: output 0, its connections unused this step"),
               Line2D([], [], color="0.65", label="a connection (a weight)")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=9)


def plot_seeds(groups: dict[str, list], metric: str = "val_accuracy", xlabel: str = "Variant"):
    """Every seed's value of ``metric`` after the last epoch, one column of dots per variant, each dot
    labelled with its seed, and each variant's mean as a short line: the figures a table's mean ± sd
    sums up, nothing hidden. Accuracies are drawn in %; the y-axis spans every dot with a margin, so
    small gaps stay visible. ``groups`` is ``by_variant(runs)``; ``xlabel`` names what the columns are.
    Returns the figure.
    """
    labels = {"loss": "Training loss", "accuracy": "Training accuracy", "val_loss": "Validation loss",
              "val_accuracy": "Validation accuracy"}
    scale, unit = (100, " (%)") if metric.endswith("accuracy") else (1, "")
    fig, ax = _subplots(figsize=(2.0 * len(groups) + 3.0, 4.0))
    everything = []
    for index, runs in enumerate(groups.values()):
        values = np.array([run.history[metric][-1] for run in runs]) * scale
        everything += values.tolist()
        offsets = np.linspace(-0.3, 0.3, len(runs)) if len(runs) > 1 else np.zeros(1)
        ax.plot(index + offsets, values, "o", color=f"C{index}", markersize=7, zorder=3)
        for offset, value, run in zip(offsets, values, runs, strict=True):
            ax.annotate(f"seed {run.recipe.seed}", (index + offset, value), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=7, zorder=4)
        ax.hlines(values.mean(), index - 0.4, index + 0.4, color="black", linewidth=2, zorder=2)
    low, high = min(everything), max(everything)
    margin = max(0.1 * (high - low), 0.005 * scale)
    ax.set(xlim=(-0.6, len(groups) - 0.3), ylim=(low - margin, high + margin), xticks=range(len(groups)),
           xticklabels=list(groups), xlabel=xlabel, ylabel=labels.get(metric, metric) + unit,
           title=f"{labels.get(metric, metric)} after the last epoch, seed by seed")
    ax.grid(False, axis="x")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", linestyle="", color="0.4", label="one seed"),
               Line2D([], [], color="black", linewidth=2, label="mean of the seeds")]
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig
