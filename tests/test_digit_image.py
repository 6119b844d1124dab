"""course_utils.digit_image: photos and drawings of one digit, prepared like MNIST."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from course_utils.cache import load
from course_utils.digit_image import DigitImageError, centre_digit, open_photo, prepare_drawing
from course_utils.training import ARTICLE
from course_utils.widgets import predict_digit
from tests.helpers import (
    CANVAS,
    CANVAS_ONE,
    CANVAS_SEVEN,
    assert_like_mnist,
    canvas_ink,
    drawing,
    encode,
    sheet,
    upload_image,
)

SEVEN = (((40, 50), (160, 50), (90, 260)),)
DIGITS = {
    "a 1 on white paper (PNG)": drawing(),
    "a 7 in white on black (JPEG)": drawing("black", "white", SEVEN, fmt="JPEG"),
    "a wide 7 in blue ink on cream paper (RGB JPEG)": drawing((245, 240, 220), (30, 40, 120), SEVEN,
                                                              size=(400, 300), mode="RGB", fmt="JPEG"),
    "a 1 on a transparent background (PNG)": drawing((0, 0, 0, 0), (0, 0, 0, 255), mode="RGBA"),
}


# --- Photos --------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", DIGITS.values(), ids=DIGITS.keys())
def test_preprocessing_follows_mnist(data):
    assert_like_mnist(upload_image(data))


def test_light_paper_is_inverted():
    dark_on_light = upload_image(drawing("white", "black", SEVEN))
    light_on_dark = upload_image(drawing("black", "white", SEVEN))
    np.testing.assert_allclose(dark_on_light, light_on_dark, atol=1e-6)
    assert dark_on_light.max() == 1.0  # the ink is bright, the paper black


def test_a_tall_digit_keeps_its_aspect_ratio():
    image = upload_image(drawing())  # a stroke 24 px wide and 244 px tall
    columns = np.flatnonzero(image.max(axis=0) > 0.5)
    rows = np.flatnonzero(image.max(axis=1) > 0.5)
    assert len(rows) >= 19 and len(columns) <= 4


def test_open_photo_keeps_the_photo_as_taken():
    tall = sheet("white", "blue", size=(200, 300), mode="RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; show it rotated by 90 degrees
    photo = open_photo(encode(tall, "JPEG", exif=exif))
    assert photo.mode == "RGB" and photo.size == (300, 200)
    assert open_photo(drawing((0, 0, 0, 0), (0, 0, 0, 255), mode="RGBA")).getpixel((0, 0)) == (255, 255, 255)
    assert open_photo(drawing(size=(2000, 1000))).size == (512, 256)  # big photos shrink, same proportions
    blue = np.asarray(open_photo(encode(tall)))[150, 100]
    assert blue[2] > 200 and blue[:2].max() < 50  # colours are kept for showing the photo


def random_bytes(size: int) -> bytes:
    return np.random.default_rng(1).integers(0, 256, size, dtype=np.uint8).tobytes()


BAD_FILES = {
    "empty": (b"", "The file is empty"),
    "not an image": (random_bytes(5000), "not an image"),
    "truncated PNG": (drawing()[:300], "not an image"),
    "9 MB": (b"\xff" * (9 * 2**20), "The file is 9.0 MB; the limit is 8 MB"),
    "blank white page": (drawing(strokes=()), "No ink found"),
    "blank grey JPEG": (drawing(paper=128, strokes=(), fmt="JPEG"), "No ink found"),
}


@pytest.mark.parametrize("data, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_unusable_files_get_a_friendly_error(data, message):
    with pytest.raises(DigitImageError, match=message):
        upload_image(data)
    assert issubclass(DigitImageError, ValueError)


# --- Drawings ------------------------------------------------------------------------------------

def test_a_drawing_is_prepared_like_mnist():
    for strokes in (CANVAS_ONE, CANVAS_SEVEN, (((10, 10), (45, 10)),)):  # the last: a dash in a corner
        assert_like_mnist(prepare_drawing(canvas_ink(strokes)))


def test_drawings_and_photos_are_centred_alike():
    # The same strokes, once as a photo (black on white paper) and once as canvas ink: one result.
    photo = encode(sheet("white", "black", CANVAS_SEVEN, size=(CANVAS, CANVAS), width=8))
    np.testing.assert_allclose(prepare_drawing(canvas_ink(CANVAS_SEVEN)), upload_image(photo), atol=1e-6)


def test_an_empty_canvas_or_a_speck_gets_advice():
    with pytest.raises(DigitImageError, match="The canvas is empty"):
        prepare_drawing(np.zeros((CANVAS, CANVAS)))
    with pytest.raises(DigitImageError, match="Too little ink"):
        prepare_drawing(canvas_ink((((50, 50), (60, 52)),)))  # a dash a tenth of the canvas long
    with pytest.raises(DigitImageError, match="Too little ink"):
        prepare_drawing(canvas_ink((((50, 50), (50, 50)),), width=3))  # a dot


def test_centre_digit_moves_the_centre_of_mass_to_the_middle():
    ink = np.zeros((60, 90))
    ink[5:25, 70:80] = 1  # a block near a corner
    image = centre_digit(ink)
    assert image.shape == (28, 28) and image.max() == pytest.approx(1)
    rows, columns = np.nonzero(image > 0.5)
    assert (rows.min(), rows.max()) == (4, 23) and (columns.min(), columns.max()) == (9, 18)


def test_the_trained_model_reads_photos_and_drawings():
    cached = load(ARTICLE)
    if cached is None:
        pytest.skip("the article's model is not cached yet: notebook 04 (or load_or_train(ARTICLE)) trains it")
    model = cached[0]
    photos = [int(predict_digit(model, upload_image(data)).argmax()) for data in DIGITS.values()]
    assert photos == [1, 7, 7, 1]  # the digits drawn in DIGITS, in order
    drawings = [int(predict_digit(model, prepare_drawing(canvas_ink(s))).argmax()) for s in (CANVAS_ONE, CANVAS_SEVEN)]
    assert drawings == [1, 7]
