"""course_utils.diagrams: the pictures of notebooks 02 and 03 show what they say. The network diagram is read
from the model (one box per layer, with the shapes and parameter counts the layers report) and changes when
the model does; the convolution picture's numbers are Keras' own."""

from __future__ import annotations

import inspect

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from keras import layers
from matplotlib.figure import Figure

from course_utils import diagrams
from course_utils.model import ARTICLE_PARAMETER_COUNT, make_classifier

KERNEL = np.array([[-1, 0, 1]] * 3, dtype="float32")  # notebook 03's vertical-edge filter
IMAGE = np.random.default_rng(3).random((28, 28)).astype("float32")


@pytest.fixture(autouse=True)
def figures_off_screen():
    """Draw in memory (Agg) and close every figure a test made."""
    matplotlib.use("Agg")
    yield
    plt.close("all")


def texts(fig: Figure) -> list[str]:
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def gid_texts(fig: Figure, prefix: str) -> list[str]:
    return [text.get_text() for text in fig.axes[0].texts if (text.get_gid() or "").startswith(prefix)]


def tiny_model(padding: str = "same", dropout: bool = False) -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(12, 12, 1)),
        layers.Conv2D(4, (3, 3), activation="relu", padding=padding),
        layers.MaxPooling2D((2, 2)),
        layers.Flatten(),
        *([layers.Dropout(0.5)] if dropout else []),
        layers.Dense(10, activation="softmax"),
    ])


# --- The network -----------------------------------------------------------------------------------


def test_the_network_diagram_has_one_box_per_layer_with_the_shapes_and_counts_the_layers_report():
    model = make_classifier("rmsprop")
    fig = diagrams.draw_network(model)
    boxes = [patch.get_gid() for patch in fig.axes[0].patches if (patch.get_gid() or "").startswith("layer")]
    assert boxes == [f"layer {i}" for i in range(len(model.layers))]
    assert [patch.get_gid() for patch in fig.axes[0].patches].count("input") == 1
    shapes = [" x ".join(str(d) for d in layer.output.shape[1:]) for layer in model.layers]
    assert gid_texts(fig, "shape") == ["28 x 28 x 1", *shapes]
    assert shapes[-4:] == ["7 x 7 x 64", "3136", "64", "10"]
    assert gid_texts(fig, "parameters") == ["0", *(f"{layer.count_params():,}" for layer in model.layers)]
    assert f"{ARTICLE_PARAMETER_COUNT:,} parameters" in fig.axes[0].get_title()


def test_the_network_diagram_names_each_layers_settings():
    described = [row[0] for row in diagrams.layer_rows(make_classifier("rmsprop"))]
    assert described[:3] == ["Input", "Conv2D: 32 filters 3x3, relu, same", "MaxPooling2D: 2x2"]
    assert described[-3:] == ["Flatten", "Dense: 64 units, relu", "Dense: 10 units, softmax"]
    assert "Dropout: rate 0.5" in [row[0] for row in diagrams.layer_rows(tiny_model(dropout=True))]


def test_the_network_diagram_changes_when_the_model_changes():
    same, valid, longer = (diagrams.layer_rows(model) for model in
                           (tiny_model("same"), tiny_model("valid"), tiny_model(dropout=True)))
    assert [shape for _, shape, _ in same] == ["12 x 12 x 1", "12 x 12 x 4", "6 x 6 x 4", "144", "10"]
    assert [shape for _, shape, _ in valid] == ["12 x 12 x 1", "10 x 10 x 4", "5 x 5 x 4", "100", "10"]
    assert valid[-1][2] == 100 * 10 + 10 != same[-1][2]
    assert len(longer) == len(same) + 1
    fig = diagrams.draw_network(tiny_model(dropout=True))
    assert len([p for p in fig.axes[0].patches if (p.get_gid() or "").startswith("layer")]) == 5
    assert "5 x 5 x 4" in gid_texts(diagrams.draw_network(tiny_model("valid")), "shape")


def test_a_shape_is_written_without_its_batch_axis():
    assert diagrams.shape_text((None, 28, 28, 32)) == "28 x 28 x 32"
    assert diagrams.shape_text((None, 10)) == "10"


# --- The convolution -------------------------------------------------------------------------------


def test_the_feature_map_is_what_a_keras_convolution_computes():
    conv = layers.Conv2D(1, (3, 3), padding="valid", use_bias=False)
    conv.build((None, 28, 28, 1))
    conv.set_weights([KERNEL[:, :, None, None]])
    by_keras = np.asarray(conv(IMAGE[None, :, :, None]))[0, :, :, 0]
    ours = diagrams.feature_map(IMAGE, KERNEL)
    assert ours.shape == (26, 26)
    np.testing.assert_allclose(ours, by_keras, atol=1e-5)
    assert ours[7, 6] == pytest.approx(float((IMAGE[7:10, 6:9] * KERNEL).sum()), abs=1e-6)


def test_the_convolution_picture_fills_the_output_row_by_row_up_to_each_window():
    positions = [(2, 3), (7, 6), (17, 18)]
    fig = diagrams.draw_convolution(IMAGE, KERNEL, positions)
    assert isinstance(fig, Figure)
    response = diagrams.feature_map(IMAGE, KERNEL)
    maps = [ax for ax in fig.axes if ax.get_images() and ax.get_images()[0].get_array().shape == (26, 26)]
    assert len(maps) == len(positions)
    for ax, (r, c) in zip(maps, positions, strict=True):
        filled = np.ma.filled(ax.get_images()[0].get_array(), np.nan)
        done = r * 26 + c + 1
        np.testing.assert_allclose(filled.flat[:done], response.flat[:done], atol=1e-6)
        assert np.isnan(filled.flat[done:]).all()
        assert ax.get_title() == f"output[{r}, {c}] = {response[r, c]:.3f}"
    windows = [ax for ax in fig.axes if ax.get_title().startswith("window at")]
    assert [ax.get_title() for ax in windows] == [f"window at row {r}, column {c}" for r, c in positions]
    assert [(p.get_x() + 0.5, p.get_y() + 0.5, p.get_width()) for ax in windows for p in ax.patches] == [
        (c, r, 3) for r, c in positions]


# --- Notebook 02's pictures ------------------------------------------------------------------------


@pytest.mark.parametrize("image", [np.arange(784).reshape(28, 28) % 256, (np.arange(784) % 256).reshape(28, 28, 1)])
def test_the_channel_axis_picture_shows_one_pixel_as_a_number_and_as_a_list_of_one(image):
    fig = diagrams.draw_channel_axis(image.astype(np.uint8), pixel=(8, 14))
    value = int(np.asarray(image).reshape(28, 28)[8, 14])
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["shape (28, 28): a grid of numbers", "shape (28, 28, 1): one channel"]
    assert f"image[8, 14] is {value}" in texts(fig) and f"image[8, 14] is [{value}]" in texts(fig)
    assert "1 channel" in texts(fig)


def test_the_one_hot_picture_highlights_the_one_in_each_row():
    rows = keras.utils.to_categorical([5, 0, 4], 10)
    fig = diagrams.draw_one_hot(rows)
    ax = fig.axes[0]
    highlighted = [(int(p.get_y()), int(p.get_x())) for p in ax.patches
                   if p.get_facecolor() == matplotlib.colors.to_rgba(diagrams.HIGHLIGHT)]
    assert highlighted == [(0, 5), (1, 0), (2, 4)]
    assert len(ax.patches) == 30 and texts(fig).count("1") == 3 and texts(fig).count("0") == 27
    assert [label.get_text() for label in ax.get_yticklabels()] == ["label 5", "label 0", "label 4"]


@pytest.mark.parametrize("rows", [np.array([5, 0, 4]), np.full((2, 10), 0.1), np.eye(10)[[1, 2]] * 2])
def test_the_one_hot_picture_refuses_rows_that_are_not_one_hot(rows):
    with pytest.raises(ValueError, match="one-hot rows"):
        diagrams.draw_one_hot(rows)


def test_each_drawing_function_is_short_and_says_what_it_draws():
    for name, function in inspect.getmembers(diagrams, inspect.isfunction):
        if function.__module__ == diagrams.__name__:
            assert len(inspect.getsourcelines(function)[0]) <= 60, name
            assert function.__doc__, name
