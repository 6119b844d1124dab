"""Pictures of the ideas of notebooks 02 and 03: the channel axis, one-hot labels, a 3x3 convolution
sliding over a digit, and the network with the shape after each layer.

Each function draws with matplotlib and returns the Figure. ``draw_network`` reads everything it shows
from the model (``model.layers``, each layer's output shape and parameter count), so the picture
always matches the model it is given.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle
from numpy.lib.stride_tricks import sliding_window_view

HIGHLIGHT = "C1"  # the colour of what a picture points at: a pixel, the 1 of a one-hot row
WINDOW = "C3"  # the 3x3 window of a convolution, and the output cell it fills


def _sheet(ax, image: np.ndarray, depth: float) -> None:
    """Draw ``image`` as a sheet seen from the front; with ``depth`` > 0, as a slab that thick."""
    size = image.shape[0]
    if depth:
        for corners in ([(0, 0), (depth, -depth), (size + depth, -depth), (size, 0)],
                        [(size, 0), (size + depth, -depth), (size + depth, size - depth), (size, size)]):
            ax.add_patch(Polygon(corners, closed=True, facecolor="0.85", edgecolor="0.3"))
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=max(1, image.max()), extent=(0, size, size, 0))
    ax.add_patch(Rectangle((0, 0), size, size, fill=False, edgecolor="0.3"))
    ax.set(xlim=(-7, size + 9), ylim=(size + 7, -10), aspect="equal")  # the same frame for every depth
    ax.axis("off")


def draw_channel_axis(image: np.ndarray, pixel: tuple[int, int] = (8, 14)) -> Figure:
    """One image as (28, 28), a grid of numbers, and as (28, 28, 1): height, width and one channel.

    ``pixel`` (row, column) is marked, with its value as each shape holds it: a number, or a list of one.
    """
    grid = np.asarray(image).reshape(image.shape[:2])
    height, width = grid.shape
    row, column = pixel
    value = grid[row, column].item()
    fig, axes = plt.subplots(1, 2, figsize=(8.5, 4.6))
    for ax, depth, shape, held in ((axes[0], 0, f"({height}, {width}): a grid of numbers", f"{value}"),
                                   (axes[1], 4, f"({height}, {width}, 1): one channel", f"[{value}]")):
        _sheet(ax, grid, depth)
        ax.add_patch(Rectangle((column, row), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5))
        ax.text(-1.5, height / 2, f"height: {height} rows", rotation=90, ha="right", va="center")
        ax.text(width / 2, height + 1.5, f"width: {width} columns", ha="center", va="top")
        ax.text(width / 2, height + 5, f"image[{row}, {column}] is {held}", ha="center", va="top",
                color=HIGHLIGHT, fontweight="bold")
        ax.set_title(f"shape {shape}")
    axes[1].annotate("1 channel", xy=(width + 2, -2), xytext=(width + 3, -5.5), ha="left",
                     arrowprops={"arrowstyle": "-", "color": "0.3"})
    fig.tight_layout()
    return fig


def draw_one_hot(rows: np.ndarray) -> Figure:
    """One-hot rows (what ``to_categorical`` returns) as rows of ten 0/1 cells, each 1 highlighted."""
    rows = np.asarray(rows)
    if rows.ndim != 2 or not np.isin(rows, (0, 1)).all() or not (rows.sum(axis=1) == 1).all():
        raise ValueError(f"draw_one_hot expects one-hot rows (a single 1 per row), got shape {rows.shape}")
    count, classes = rows.shape
    fig, ax = plt.subplots(figsize=(0.5 * classes + 2.2, 0.5 * count + 1.4))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            ax.add_patch(Rectangle((c, r), 1, 1, facecolor=HIGHLIGHT if cell else "white", edgecolor="0.5"))
            ax.text(c + 0.5, r + 0.5, f"{cell:.0f}", ha="center", va="center",
                    fontweight="bold" if cell else "normal", color="black" if cell else "0.55")
    digits = rows.argmax(axis=1)
    ax.set(xlim=(0, classes), ylim=(count, 0), aspect="equal",
           xticks=np.arange(classes) + 0.5, xticklabels=range(classes),
           yticks=np.arange(count) + 0.5, yticklabels=[f"label {d}" for d in digits])
    ax.set_xlabel("column = digit")
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title("Each label becomes a row of ten cells: 1 in its digit's column, 0 elsewhere",
                 fontsize=10, pad=28)
    fig.tight_layout()
    return fig


def feature_map(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The response of ``kernel`` at every position where it fits in ``image`` (no padding, as
    ``padding="valid"``): cell [r, c] is the sum of ``image[r:r+k, c:c+k] * kernel``."""
    windows = sliding_window_view(np.asarray(image, dtype="float32"), np.shape(kernel))
    return (windows * kernel).sum(axis=(-2, -1))


def draw_convolution(image: np.ndarray, kernel: np.ndarray, positions: Sequence[tuple[int, int]]) -> Figure:
    """A filter sliding over ``image``: top, the window at each of ``positions`` (row, column of its
    top-left pixel); below, the feature map filled row by row up to that position."""
    response = feature_map(image, kernel)
    size = np.shape(kernel)[0]
    limit = float(np.abs(response).max())
    fig, axes = plt.subplots(2, len(positions), figsize=(3.2 * len(positions) + 1.2, 6.6), squeeze=False,
                             layout="constrained")
    for column, (r, c) in enumerate(positions):
        top, bottom = axes[0, column], axes[1, column]
        top.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        top.add_patch(Rectangle((c - 0.5, r - 0.5), size, size, fill=False, edgecolor=WINDOW, linewidth=2.5))
        top.set_title(f"window at row {r}, column {c}", fontsize=10)
        filled = np.full(response.shape, np.nan)
        done = r * response.shape[1] + c + 1  # the positions visited so far, row by row
        filled.flat[:done] = response.flat[:done]
        shown = bottom.imshow(filled, cmap="RdBu_r", vmin=-limit, vmax=limit)
        bottom.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=WINDOW, linewidth=2.5))
        bottom.set_title(f"output[{r}, {c}] = {response[r, c]:.3f}", fontsize=10)
        for ax in (top, bottom):
            ax.grid(False)
            ax.set_xlabel("column (pixels)")
    axes[0, 0].set_ylabel(f"row (pixels)\nthe digit, {image.shape[0]} x {image.shape[1]}")
    axes[1, 0].set_ylabel(f"row (pixels)\nfeature map, {response.shape[0]} x {response.shape[1]}")
    fig.colorbar(shown, ax=axes[1, :].tolist(), label="response (sum of 9 products)", shrink=0.9)
    fig.suptitle("A 3x3 filter slides over the digit; each position fills one cell of the output")
    return fig


def _describe(layer) -> str:
    """A layer's type and the settings that decide its shape: 'Conv2D: 32 filters 3x3, relu, same'."""
    config = layer.get_config()
    parts = []
    if "filters" in config:
        parts.append(f"{config['filters']} filters {'x'.join(map(str, config['kernel_size']))}")
    if "units" in config:
        parts.append(f"{config['units']} units")
    if "pool_size" in config:
        parts.append("x".join(map(str, config["pool_size"])))
    if "rate" in config:
        parts.append(f"rate {config['rate']}")
    if config.get("activation") not in (None, "linear"):
        parts.append(config["activation"])
    if "padding" in config and "filters" in config:
        parts.append(config["padding"])
    name = type(layer).__name__
    return f"{name}: {', '.join(parts)}" if parts else name


def shape_text(shape: Sequence) -> str:
    """A shape without its batch axis, as the diagram writes it: (None, 28, 28, 32) -> '28 x 28 x 32'."""
    return " x ".join(str(d) for d in tuple(shape)[1:])


def layer_rows(model) -> list[tuple[str, str, int]]:
    """What ``draw_network`` shows, read from the model: (layer, output shape, parameters), input first."""
    rows = [("Input", shape_text(model.inputs[0].shape), 0)]
    return rows + [(_describe(layer), shape_text(layer.output.shape), layer.count_params())
                   for layer in model.layers]


def draw_network(model) -> Figure:
    """The network as a column of boxes, one per layer of ``model.layers`` (after an input box), each with
    the shape of its output (without the batch axis) and its number of parameters."""
    rows = layer_rows(model)
    fig, ax = plt.subplots(figsize=(8.0, 0.62 * len(rows) + 1.0))
    for index, (layer, shape, parameters) in enumerate(rows):
        box = FancyBboxPatch((0, -index - 0.35), 4.6, 0.7, boxstyle="round,pad=0.02",
                             facecolor="0.93" if index == 0 else "#dbe8f5", edgecolor="0.4")
        box.set_gid("input" if index == 0 else f"layer {index - 1}")
        ax.add_patch(box)
        ax.text(0.15, -index, layer, va="center", fontsize=10)
        ax.text(5.9, -index, shape, va="center", ha="center", fontsize=10, gid=f"shape {index}")
        ax.text(8.6, -index, f"{parameters:,}", va="center", ha="right", fontsize=10, gid=f"parameters {index}")
        if index:
            ax.add_patch(FancyArrowPatch((2.3, -index + 0.65), (2.3, -index + 0.35), arrowstyle="-|>",
                                         mutation_scale=10, color="0.4"))
    for x, heading, align in ((0.15, "layer", "left"), (5.9, "output shape", "center"), (8.6, "parameters", "right")):
        ax.text(x, 0.85, heading, ha=align, va="center", fontweight="bold")
    total = sum(parameters for _, _, parameters in rows)
    ax.set(xlim=(-0.1, 8.8), ylim=(-len(rows) + 0.4, 1.2))
    ax.axis("off")
    ax.set_title(f"The network, read from model.layers: {total:,} parameters in all")
    fig.tight_layout()
    return fig
