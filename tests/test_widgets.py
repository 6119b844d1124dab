"""course_utils.widgets, driven from Python: the explorer, the drawing canvas, the digit upload, the playground."""

from __future__ import annotations

import statistics
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import traitlets

import course_utils
from course_utils import setup_course
from course_utils.data import PreparedData
from course_utils.digit_image import prepare_drawing
from course_utils.model import make_classifier
from course_utils.plotting import plot_prediction, plot_recent_runs
from course_utils.widgets import (
    DrawingCanvas,
    TrainingPlayground,
    digit_explorer,
    digit_upload,
    draw_digit,
    predict_digit,
    training_playground,
)
from tests.helpers import CANVAS_SEVEN, assert_like_mnist, canvas_ink, drawing, upload_image
from tests.tiny import tiny_images, tiny_prepared_data


@pytest.fixture(scope="module")
def model():
    setup_course()
    return make_classifier()


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    return tiny_images(30)[0]


def predictions(model, images: np.ndarray) -> np.ndarray:
    return np.asarray(model(images, training=False)).argmax(axis=1)


# --- Test set explorer ---------------------------------------------------------------------------

def test_explorer_shows_the_digit_its_label_and_the_prediction(model, images):
    predicted = predictions(model, images)
    explorer = digit_explorer(model, images, predicted)
    assert f"Test image 0: true {predicted[0]} · predicted {predicted[0]} (" in explorer.status.value
    explorer.slider.value = 5
    assert explorer.status.value.startswith(f"Test image 5: true {predicted[5]} · predicted {predicted[5]} (")
    assert "image/png" in explorer.plot.outputs[0]["data"]
    assert explorer.slider.max == len(images) - 1
    assert repr(explorer) == "Test set explorer (30 digits)"
    assert "course-digit-explorer" in explorer._dom_classes  # how the browser test finds it


def test_only_misclassified_restricts_the_slider_to_the_mistakes(model, images):
    labels = predictions(model, images)
    labels[[3, 7, 11]] = (labels[[3, 7, 11]] + 1) % 10
    explorer = digit_explorer(model, images, labels)
    assert list(explorer.misclassified) == [3, 7, 11]
    assert explorer.only_wrong.description == "only misclassified (3)"
    explorer.slider.value = 20
    explorer.only_wrong.value = True
    assert (explorer.slider.value, explorer.slider.max) == (0, 2)
    assert explorer.status.value.startswith("Test image 3: true")
    explorer.slider.value = 1
    assert explorer.status.value.startswith(f"Test image 7: true {labels[7]} · predicted")
    assert explorer.status.value.endswith("✘ a mistake")
    explorer.only_wrong.value = False
    assert explorer.slider.max == len(images) - 1
    assert explorer.status.value.startswith("Test image 0: true")


def test_only_misclassified_when_there_are_none(model, images):
    explorer = digit_explorer(model, images, predictions(model, images))
    explorer.only_wrong.value = True
    assert explorer.status.value.startswith("No misclassified digits")
    assert explorer.slider.disabled and explorer.plot.outputs == ()
    explorer.only_wrong.value = False
    assert not explorer.slider.disabled and explorer.plot.outputs


def test_explorer_predicts_everything_once_in_batches(model):
    calls = []

    def counting_model(x, training):
        calls.append((len(x), training))
        return model(x, training=training)

    many = np.zeros((2500, 28, 28, 1), dtype="float32")
    explorer = digit_explorer(counting_model, many, np.zeros(2500, dtype=int))
    explorer.slider.value = 2499
    explorer.only_wrong.value = True
    assert calls == [(1000, False), (1000, False), (500, False)]


# --- Drawing canvas ------------------------------------------------------------------------------

def test_the_canvas_javascript_ships_with_the_package():
    canvas = DrawingCanvas()
    script = Path(course_utils.__file__).parent / "static" / "draw.js"
    assert canvas.get_state()["_esm"] == script.read_text()
    assert "export default { render }" in canvas._esm
    # An installed (not editable) package carries it too: pyproject names it as package data.
    package_data = tomllib.loads((Path(course_utils.__file__).parents[1] / "pyproject.toml").read_text())
    assert "course_utils.static" in package_data["tool"]["setuptools"]["packages"]
    assert "*.js" in package_data["tool"]["setuptools"]["package-data"]["course_utils.static"]


def test_the_canvas_words_come_from_python():
    """draw.js shows the button's text and the canvas' accessible name from synchronised traits (so they can be
    translated), and writes none of its own."""
    canvas = DrawingCanvas()
    assert canvas.trait_metadata("clear_label", "sync") and canvas.trait_metadata("canvas_label", "sync")
    state = canvas.get_state()
    assert state["clear_label"] == "Clear"
    assert state["canvas_label"] == "Drawing area: draw one digit with the mouse, a pen or a finger"
    assert 'model.get("clear_label")' in canvas._esm and 'model.get("canvas_label")' in canvas._esm
    assert 'textContent = "' not in canvas._esm and 'setAttribute("aria-label", "' not in canvas._esm


def test_the_drawing_is_a_synchronised_trait():
    canvas = DrawingCanvas()
    assert canvas.trait_metadata("image", "sync") and canvas.image == b""
    assert canvas.ink.shape == (112, 112) and not canvas.ink.any()
    seven = canvas_ink(CANVAS_SEVEN)
    canvas.ink = seven
    assert canvas.image == seven.tobytes() and np.array_equal(canvas.ink, seven)
    with pytest.raises(traitlets.TraitError, match="12544 bytes, got 784"):
        canvas.image = bytes(28 * 28)
    with pytest.raises(ValueError, match="112x112"):
        canvas.ink = np.zeros((28, 28))


def test_draw_digit_follows_the_drawing(model):
    panel = draw_digit(model)
    assert repr(panel) == "Draw a digit" and "course-draw-digit" in panel._dom_classes
    assert panel.status.value.startswith("The canvas is empty") and panel.plot.outputs == ()
    assert panel.probabilities is None

    panel.canvas.ink = canvas_ink(CANVAS_SEVEN)  # what the page does after a stroke
    assert_like_mnist(panel.image)
    np.testing.assert_array_equal(panel.image, prepare_drawing(canvas_ink(CANVAS_SEVEN)))
    np.testing.assert_allclose(panel.probabilities, predict_digit(model, panel.image))
    assert panel.status.value.startswith(f"This looks like a {int(np.argmax(panel.probabilities))} (")
    assert "Second guess" in panel.status.value
    assert "image/png" in panel.plot.outputs[0]["data"]

    panel.canvas.ink = canvas_ink((((50, 50), (58, 50)),))  # a speck: no confident guess
    assert panel.status.value.startswith("Too little ink") and panel.plot.outputs == ()
    assert panel.probabilities is None and panel.image is None
    panel.canvas.image = bytes(112 * 112)  # the Clear button
    assert panel.status.value.startswith("The canvas is empty")


# --- Digit upload widget -------------------------------------------------------------------------

def uploaded(data: bytes, name: str = "digit.png") -> tuple[dict, ...]:
    """What ipywidgets 8 puts in FileUpload.value after one file is chosen."""
    return ({"name": name, "type": "image/png", "size": len(data), "content": memoryview(data),
             "last_modified": datetime(2024, 1, 1, tzinfo=UTC)},)


def test_upload_shows_the_prepared_digit_and_the_prediction(model):
    panel = digit_upload(model)
    assert panel.upload.accept.startswith("image/png,image/jpeg") and not panel.upload.multiple
    panel.upload.value = uploaded(drawing())
    predicted = int(np.argmax(panel.probabilities))
    assert panel.status.value.startswith(f"This looks like a {predicted} (")
    assert "Second guess" in panel.status.value
    assert panel.image.shape == (28, 28) and "image/png" in panel.plot.outputs[0]["data"]
    assert panel.photo.size == (200, 300) and panel.photo.mode == "RGB"  # shown as uploaded, beside the 28x28


def test_upload_shows_errors_in_the_widget(model):
    panel = digit_upload(model)
    panel.upload.value = uploaded(drawing())
    panel.upload.value = uploaded(b"not a picture at all", "notes.txt")
    assert panel.status.value.startswith("This file is not an image")
    assert panel.plot.outputs == ()
    panel.upload.value = uploaded(drawing(strokes=()))
    assert panel.status.value.startswith("No ink found")


def test_plot_prediction_shows_the_photo_first_and_marks_a_wrong_guess():
    image = upload_image(drawing())
    probabilities = np.full(10, 0.02)
    probabilities[3] = 0.82
    with_photo = plot_prediction(image, probabilities, "What the model sees", photo=np.ones((30, 20, 3)))
    assert [ax.get_title() for ax in with_photo.axes] == ["Your photo", "What the model sees", "Probabilities"]
    wrong = plot_prediction(image, probabilities, "Test image 5", true_label=1)
    bars = wrong.axes[1].patches
    assert len(wrong.axes) == 2 and "red: guess" in wrong.axes[1].get_title()
    assert bars[3].get_facecolor() != bars[0].get_facecolor() != bars[1].get_facecolor()


def test_predict_digit_is_fast_and_agrees_with_predict(model):
    image = upload_image(drawing())
    probabilities = predict_digit(model, image)
    assert probabilities.shape == (10,) and abs(probabilities.sum() - 1) < 1e-5
    np.testing.assert_allclose(probabilities, model.predict(image[None, :, :, None], verbose=0)[0], atol=1e-6)
    def median_seconds(predict) -> float:
        seconds = []
        for _ in range(9):
            start = time.perf_counter()
            predict()
            seconds.append(time.perf_counter() - start)
        return statistics.median(seconds)

    # Relative, not absolute: the other lane may be training beside this test.
    direct = median_seconds(lambda: predict_digit(model, image))
    loop = median_seconds(lambda: model.predict(image[None, :, :, None], verbose=0))
    assert direct < loop / 2, f"predict_digit {direct * 1000:.0f} ms, model.predict {loop * 1000:.0f} ms"
    with pytest.raises(ValueError, match="28x28"):
        predict_digit(model, np.zeros((28, 28, 1)))


# --- Training playground -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def playground_data() -> PreparedData:
    """More than the shared tiny set: 256 training images, so that an epoch has several batches."""
    return tiny_prepared_data(384)


def train(playground, timeout: float = 120) -> None:
    """Click Train and wait for the run, which goes on in the background, to end."""
    playground.train_button.click()
    playground.wait(timeout)
    assert not playground.thread.is_alive(), "training did not end in time"


def test_playground_trains_and_redraws_after_each_epoch(playground_data, model):
    playground = training_playground(playground_data)
    assert isinstance(playground, TrainingPlayground)
    assert repr(playground) == "Training playground (256 training images)"
    shown = playground._repr_mimebundle_()  # what a notebook shows: the panel, under the same text
    assert shown["text/plain"] == repr(playground) and "application/vnd.jupyter.widget-view+json" in shown
    assert "course-training-playground" in playground.widget._dom_classes
    assert playground.train_size.options == (("256", 256),)  # only as many images as the data holds
    assert playground.batch_size.options == (64, 128, 200, 256, 512)
    playground.optimizer.value = "sgd"
    assert playground.learning_rate.value == pytest.approx(0.01)
    playground.optimizer.value = "adam"
    playground.epochs.value, playground.batch_size.value = 2, 64
    buttons_at_redraw, statuses = [], []
    playground.plot.observe(lambda change: change["new"] and buttons_at_redraw.append(
        (playground.train_button.disabled, playground.stop_button.disabled)), "outputs")
    playground.status.observe(lambda change: statuses.append(change["new"]), "value")
    assert playground.stop_button.disabled and playground.clear_button.disabled

    train(playground)

    assert buttons_at_redraw == [(True, False), (True, False)]  # one redraw per epoch, Train off, Stop on
    assert not playground.train_button.disabled and playground.stop_button.disabled
    assert len(playground.history["val_accuracy"]) == 2
    assert any(status.startswith("Epoch 1 of 2: validation accuracy") and status.endswith(" s left")
               for status in statuses), statuses  # the time left, while training
    assert playground.status.value.startswith("Done in ")
    assert playground.model.optimizer.name == "adam"
    assert predict_digit(model, np.zeros((28, 28))).shape == (10,)  # other models still work


def test_stop_ends_training_after_the_current_batch(playground_data):
    playground = training_playground(playground_data)
    playground.epochs.value, playground.batch_size.value = 10, 64  # 4 batches per epoch
    # Click Stop when the first epoch is drawn: training ends after the next batch.
    playground.plot.observe(lambda change: playground.stop_button.click(), "outputs")

    train(playground)

    assert playground.progress.batches_done == 4 + 1
    assert len(playground.history["loss"]) == 2  # the first epoch, and the one stopped after a batch
    assert playground.status.value.startswith("Stopped after ")
    assert "in epoch 2 at batch 1 of 4" in playground.status.value
    assert not playground.train_button.disabled and playground.stop_button.disabled


def test_earlier_runs_stay_faint_until_cleared(playground_data):
    playground = training_playground(playground_data)
    playground.epochs.value = 1
    train(playground)
    playground.batch_norm.value = playground.dropout.value = True
    train(playground)

    names = [name for name, _ in playground.runs]
    assert names == ["run 1 (rmsprop 0.001, batch 200, 256 images)",
                     "run 2 (rmsprop 0.001, batch 200, 256 images, batch norm, dropout)"]
    layers = [type(layer).__name__ for layer in playground.model.layers]
    assert "BatchNormalization" in layers and layers.count("Dropout") == 3
    assert all(layer.rate == 0.25 for layer in playground.model.layers if type(layer).__name__ == "Dropout")

    figure = plot_recent_runs(playground.runs)
    alphas = {line.get_label(): line.get_alpha() for line in figure.axes[0].get_lines()}
    assert [text.get_text() for text in figure.legends[0].get_texts()] == list(alphas)
    assert alphas == {f"{names[0]}: training": 0.3, f"{names[0]}: validation": 0.3,
                      f"{names[1]}: training": None, f"{names[1]}: validation": None}

    assert not playground.clear_button.disabled
    playground.clear_button.click()
    assert playground.runs == [] and playground.plot.outputs == () and playground.clear_button.disabled


def test_plot_recent_runs_draws_the_last_five_earlier_runs():
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8], "val_loss": [1.1, 0.6], "val_accuracy": [0.4, 0.7]}
    figure = plot_recent_runs([(f"run {n}", history) for n in range(1, 9)])
    labels = {line.get_label().split(":")[0] for line in figure.axes[0].get_lines()}
    assert labels == {f"run {n}" for n in range(3, 9)}


def test_playground_reports_errors_and_enables_the_buttons_again(playground_data, monkeypatch):
    disabled_while_training = []

    def failing_train(*args, **kwargs):
        disabled_while_training.append((playground.train_button.disabled, playground.stop_button.disabled))
        raise RuntimeError("out of memory")

    monkeypatch.setattr("course_utils.training.train", failing_train)
    playground = training_playground(playground_data)
    train(playground)
    assert disabled_while_training == [(True, False)]
    assert not playground.train_button.disabled and playground.stop_button.disabled
    assert playground.status.value == ("Training stopped by an error (RuntimeError: out of memory). Try fewer images "
                                       "or a smaller batch; if it happens again, restart the kernel.")
    assert playground.runs == [] and playground.clear_button.disabled


def test_a_second_playground_waits_for_the_first(playground_data):
    first, second = training_playground(playground_data), training_playground(playground_data)
    first.epochs.value = 2
    # While the first trains, a click on the second's Train is refused with what to do.
    refused = []
    first.plot.observe(lambda change: refused.append(second.train_button.click() or second.status.value), "outputs")
    train(first)
    assert refused and refused[0].startswith("Another training playground in this notebook is still training")
    assert second.thread is None and second.runs == []
    train(second)  # once the first is done, the second trains
    assert second.status.value.startswith("Done in ")


def test_the_playground_draws_outside_pyplot(playground_data, monkeypatch):
    """A figure drawn on the training thread is never one of pyplot's, which a finishing cell would show."""
    import matplotlib.pyplot as plt

    from course_utils.widgets import playground as module

    plt.close("all")
    open_while_drawing = []
    show_figure = module.show_figure

    def watched(output, fig=None) -> None:
        open_while_drawing.append(plt.get_fignums())
        show_figure(output, fig)

    monkeypatch.setattr(module, "show_figure", watched)
    playground = training_playground(playground_data)
    playground.epochs.value = 2
    train(playground)
    assert len(playground.plot.outputs) == 1 and open_while_drawing == [[], []]


def test_no_public_function_looks_like_a_test_to_pytest():
    import inspect

    from course_utils import digit_image, plotting, widgets

    for module in (widgets, digit_image, plotting):
        names = [name for name, _ in inspect.getmembers(module, callable) if name.startswith("test")]
        assert names == [], f"pytest would collect {names} from {module.__name__}"
