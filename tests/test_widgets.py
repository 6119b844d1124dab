"""course_utils.widgets, driven from Python: the explorer, the digit upload and its preprocessing, the playground."""

from __future__ import annotations

import io
import statistics
import time
from datetime import datetime, timezone

import numpy as np
import pytest
from PIL import Image, ImageDraw

from course_utils import setup_course
from course_utils.model import make_classifier
from course_utils.training import PreparedData
from course_utils.widgets import (
    DigitImageError,
    digit_upload,
    predict_digit,
    preprocess_digit,
    test_set_explorer as explore_test_set,
    training_playground,
)


@pytest.fixture(scope="module")
def model():
    setup_course()
    return make_classifier()


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    return np.random.default_rng(0).random((30, 28, 28, 1), dtype="float32")


def predictions(model, images: np.ndarray) -> np.ndarray:
    return np.asarray(model(images, training=False)).argmax(axis=1)


# --- Test set explorer ---------------------------------------------------------------------------

def test_explorer_shows_the_digit_its_label_and_the_prediction(model, images):
    predicted = predictions(model, images)
    explorer = explore_test_set(model, images, predicted)
    assert f"Test image 0: true {predicted[0]} · predicted {predicted[0]} (" in explorer.status.value
    explorer.slider.value = 5
    assert explorer.status.value.startswith(f"Test image 5: true {predicted[5]} · predicted {predicted[5]} (")
    assert "image/png" in explorer.plot.outputs[0]["data"]
    assert explorer.slider.max == len(images) - 1
    assert repr(explorer) == "Test set explorer (30 digits)"


def test_only_misclassified_restricts_the_slider_to_the_mistakes(model, images):
    labels = predictions(model, images)
    labels[[3, 7, 11]] = (labels[[3, 7, 11]] + 1) % 10
    explorer = explore_test_set(model, images, labels)
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
    explorer = explore_test_set(model, images, predictions(model, images))
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
    explorer = explore_test_set(counting_model, many, np.zeros(2500, dtype=int))
    explorer.slider.value = 2499
    explorer.only_wrong.value = True
    assert calls == [(1000, False), (1000, False), (500, False)]


# --- Preprocessing an uploaded digit -------------------------------------------------------------

def drawing(paper="white", ink="black", strokes=(((100, 40), (100, 260)),), size=(200, 300), mode="L",
            fmt="PNG") -> bytes:
    """A thick-stroked digit (a "1" by default) on a sheet of paper, encoded as PNG or JPEG bytes."""
    image = Image.new(mode, size, paper)
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        pen.line(stroke, fill=ink, width=24, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


SEVEN = (((40, 50), (160, 50), (90, 260)),)
DIGITS = {
    "a 1 on white paper (PNG)": drawing(),
    "a 7 in white on black (JPEG)": drawing("black", "white", SEVEN, fmt="JPEG"),
    "a wide 7 in blue ink on cream paper (RGB JPEG)": drawing((245, 240, 220), (30, 40, 120), SEVEN,
                                                              size=(400, 300), mode="RGB", fmt="JPEG"),
    "a 1 on a transparent background (PNG)": drawing((0, 0, 0, 0), (0, 0, 0, 255), mode="RGBA"),
}


@pytest.mark.parametrize("data", DIGITS.values(), ids=DIGITS.keys())
def test_preprocessing_follows_mnist(data):
    image = preprocess_digit(data)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() >= 0 and 0.9 < image.max() <= 1
    rows, columns = np.nonzero(image > 0)
    height, width = rows.max() - rows.min() + 1, columns.max() - columns.min() + 1
    assert max(height, width) in (19, 20, 21) and height <= 21 and width <= 21  # a 20x20 box (+ resampling halo)
    assert image[[0, 0, -1, -1], [0, -1, 0, -1]].max() == 0  # black background, like MNIST
    centre_of_mass = np.array([(np.indices(image.shape)[axis] * image).sum() / image.sum() for axis in (0, 1)])
    assert np.abs(centre_of_mass - 13.5).max() <= 0.6


def test_light_paper_is_inverted():
    dark_on_light = preprocess_digit(drawing("white", "black", SEVEN))
    light_on_dark = preprocess_digit(drawing("black", "white", SEVEN))
    np.testing.assert_allclose(dark_on_light, light_on_dark, atol=1e-6)
    assert dark_on_light.max() == 1.0  # the ink is bright, the paper black


def test_a_tall_digit_keeps_its_aspect_ratio():
    image = preprocess_digit(drawing())  # a stroke 24 px wide and 244 px tall
    columns = np.flatnonzero(image.max(axis=0) > 0.5)
    rows = np.flatnonzero(image.max(axis=1) > 0.5)
    assert len(rows) >= 19 and len(columns) <= 4


def test_the_trained_model_reads_the_drawn_digits():
    from course_utils.training import ARTICLE, load_artifacts

    cached = load_artifacts(ARTICLE)
    if cached is None:
        pytest.skip("the article's model is not cached yet: load_or_train(ARTICLE) trains it")
    expected = [1, 7, 7, 1]  # the digits drawn in DIGITS, in order
    assert [int(predict_digit(cached[0], preprocess_digit(data)).argmax()) for data in DIGITS.values()] == expected


def random_bytes(size: int) -> bytes:
    return np.random.default_rng(1).integers(0, 256, size, dtype=np.uint8).tobytes()


BAD_FILES = {
    "empty": (b"", "The file is empty"),
    "not an image": (random_bytes(5000), "not an image"),
    "truncated PNG": (drawing()[:300], "not an image"),
    "11 MB": (b"\xff" * (11 * 2**20), "the limit is 10 MB"),
    "blank white page": (drawing(strokes=()), "No ink found"),
    "blank grey JPEG": (drawing(paper=128, strokes=(), fmt="JPEG"), "No ink found"),
}


@pytest.mark.parametrize("data, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_unusable_files_get_a_friendly_error(data, message):
    with pytest.raises(DigitImageError, match=message):
        preprocess_digit(data)
    assert issubclass(DigitImageError, ValueError)


# --- Digit upload widget -------------------------------------------------------------------------

def uploaded(data: bytes, name: str = "digit.png") -> tuple[dict, ...]:
    """What ipywidgets 8 puts in FileUpload.value after one file is chosen."""
    return ({"name": name, "type": "image/png", "size": len(data), "content": memoryview(data),
             "last_modified": datetime(2024, 1, 1, tzinfo=timezone.utc)},)


def test_upload_shows_the_prepared_digit_and_the_prediction(model):
    panel = digit_upload(model)
    assert panel.upload.accept.startswith("image/png,image/jpeg") and not panel.upload.multiple
    panel.upload.value = uploaded(drawing())
    predicted = int(np.argmax(panel.probabilities))
    assert panel.status.value.startswith(f"This looks like a {predicted} (")
    assert "Second guess" in panel.status.value
    assert panel.image.shape == (28, 28) and "image/png" in panel.plot.outputs[0]["data"]


def test_upload_shows_errors_in_the_widget(model):
    panel = digit_upload(model)
    panel.upload.value = uploaded(drawing())
    panel.upload.value = uploaded(b"not a picture at all", "notes.txt")
    assert panel.status.value.startswith("This file is not an image")
    assert panel.plot.outputs == ()
    panel.upload.value = uploaded(drawing(strokes=()))
    assert panel.status.value.startswith("No ink found")


def test_predict_digit_is_fast_and_agrees_with_predict(model):
    image = preprocess_digit(drawing())
    probabilities = predict_digit(model, image)
    assert probabilities.shape == (10,) and abs(probabilities.sum() - 1) < 1e-5
    np.testing.assert_allclose(probabilities, model.predict(image[None, :, :, None], verbose=0)[0], atol=1e-6)
    seconds = []
    for _ in range(20):
        start = time.perf_counter()
        predict_digit(model, image)
        seconds.append(time.perf_counter() - start)
    assert statistics.median(seconds) < 0.1, f"median {statistics.median(seconds) * 1000:.0f} ms per prediction"
    with pytest.raises(ValueError, match="28x28"):
        predict_digit(model, np.zeros((28, 28, 1)))


# --- Training playground -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_data() -> PreparedData:
    rng = np.random.default_rng(0)

    def split(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        labels = rng.integers(0, 10, n)
        return rng.random((n, 28, 28, 1), dtype="float32"), np.eye(10, dtype="float32")[labels], labels

    x_train, y_train, _ = split(256)
    x_val, y_val, _ = split(64)
    x_test, y_test, labels_test = split(64)
    return PreparedData(x_train, y_train, x_val, y_val, x_test, y_test, labels_test)


def test_playground_trains_and_redraws_after_each_epoch(tiny_data, model):
    playground = training_playground(tiny_data)
    assert playground.train_size.options == (("256", 256),)  # only as many images as the data holds
    assert playground.batch_size.options == (64, 128, 200, 256, 512)
    playground.optimizer.value = "sgd"
    assert playground.learning_rate.value == pytest.approx(0.01)
    playground.optimizer.value = "adam"
    playground.epochs.value, playground.batch_size.value = 2, 64
    button_disabled_at_redraw = []
    playground.plot.observe(lambda change: change["new"] and button_disabled_at_redraw.append(
        playground.train_button.disabled), "outputs")

    playground.train_button.click()

    assert button_disabled_at_redraw == [True, True]  # one redraw per epoch, while the button is disabled
    assert not playground.train_button.disabled
    assert len(playground.history["val_accuracy"]) == 2
    assert playground.status.value.startswith("Done in ")
    assert playground.model.optimizer.name == "adam"
    assert predict_digit(model, np.zeros((28, 28))).shape == (10,)  # other models still work


def test_playground_reports_errors_and_enables_the_button_again(tiny_data, monkeypatch):
    disabled_while_training = []

    def failing_train(*args, **kwargs):
        disabled_while_training.append(playground.train_button.disabled)
        raise RuntimeError("out of memory")

    monkeypatch.setattr("course_utils.training.train", failing_train)
    playground = training_playground(tiny_data)
    playground.train_button.click()
    assert disabled_while_training == [True]
    assert not playground.train_button.disabled
    assert playground.status.value == "Training stopped: RuntimeError: out of memory"
