"""One handwritten digit, from a photo or a drawing, prepared like MNIST: the 28x28 image the network sees.

MNIST's digits were prepared in a fixed way: the ink as high values (255, full ink) on a blank
background of 0, each digit scaled to fit a 20x20 box keeping its proportions, then placed in a 28x28
field with its centre of mass in the middle. ``centre_digit`` does those last steps, and both ways in
go through it: ``open_photo`` then ``prepare_photo`` for a photo (PNG or JPEG bytes), and
``prepare_drawing`` for a drawing from the canvas widget.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps

from course_utils.data import IMAGE_SIZE
from course_utils.i18n import N_, _

#: MNIST digits fit in a 20x20 box, centred by centre of mass in the 28x28 field.
DIGIT_BOX = 20
#: The middle of a 28-pixel row (pixels are numbered 0 to 27).
FIELD_CENTRE = (IMAGE_SIZE - 1) / 2
#: Uploads above this size are refused before decoding. Below Jupyter's default limit on one message
#: from the browser (10 MB, tornado's), so that a file near it still reaches this check and its message.
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
#: Images with more pixels than this are refused (a 50-megapixel photo is plenty for one digit).
MAX_PIXELS = 50_000_000
#: Photos are shrunk to at most this many pixels a side: plenty for one digit, and quick.
PHOTO_SIDE = 512
#: Ink must differ from the paper by at least this much (of 255) to count as a digit.
MIN_CONTRAST = 40
#: A drawing whose ink spans less than this share of the canvas, both ways, is too small to read.
MIN_DRAWING_EXTENT = 0.2

#: Said for a file that is not a readable image (translated where it is raised: ``_(NOT_AN_IMAGE)``).
NOT_AN_IMAGE = N_("This file is not an image that can be read. Choose a PNG or JPEG photo of one handwritten digit.")


class DigitImageError(ValueError):
    """A photo or drawing cannot be turned into a digit; the message tells the student what to do."""


def centre_digit(ink: np.ndarray) -> np.ndarray:
    """Ink (0 = paper, higher = ink) as MNIST would have it: a (28, 28) float32 image in [0, 1].

    Crop to the ink; scale to fit 20x20 keeping the aspect ratio; place in 28x28 with the centre of
    mass in the middle.
    """
    ink = np.asarray(ink, dtype="float32")
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]
    scale = DIGIT_BOX / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    glyph = Image.fromarray((crop * (255 / crop.max())).astype("uint8")).resize(size, Image.Resampling.LANCZOS)
    glyph = np.asarray(glyph, dtype="float32") / 255

    height, width = glyph.shape
    mass_rows, mass_columns = (np.average(np.indices(glyph.shape)[axis], weights=glyph) for axis in (0, 1))
    top = int(np.clip(round(FIELD_CENTRE - mass_rows), 0, IMAGE_SIZE - height))
    left = int(np.clip(round(FIELD_CENTRE - mass_columns), 0, IMAGE_SIZE - width))
    field = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype="float32")
    field[top:top + height, left:left + width] = glyph
    return field


# --- A photo -------------------------------------------------------------------------------------

def open_photo(data: bytes) -> Image.Image:
    """Decode PNG or JPEG bytes into an RGB image the way it was taken, at most 512 pixels a side.

    Phone photos are turned upright; transparent parts become white paper. Raises ``DigitImageError``
    for what is not a usable image.
    """
    data = bytes(data)
    if len(data) == 0:
        raise DigitImageError(_("The file is empty. Choose a PNG or JPEG photo of one handwritten digit."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise DigitImageError(_("The file is {size:.1f} MB; the limit is {limit} MB. Crop the photo around the digit, "
                                "or save it smaller.").format(size=len(data) / 2**20, limit=MAX_UPLOAD_BYTES // 2**20))
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise DigitImageError(_(NOT_AN_IMAGE)) from error
    if image.width * image.height > MAX_PIXELS:
        raise DigitImageError(_("The image is {width} x {height} pixels, too many to process. Crop it around the "
                                "digit, or save it smaller.").format(width=image.width, height=image.height))
    try:
        image.draft(None, (2 * PHOTO_SIDE, 2 * PHOTO_SIDE))  # JPEG only: decode big photos smaller, faster
        image = ImageOps.exif_transpose(image)
        rgba = image.convert("RGBA")  # transparent parts count as white paper
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    except (OSError, SyntaxError, ValueError) as error:  # a damaged or truncated file
        raise DigitImageError(_(NOT_AN_IMAGE)) from error
    image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    return image


def _ink(gray: np.ndarray) -> np.ndarray:
    """Ink strength 0-255 (high = ink), whatever the paper's colour, with the paper at 0."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    paper = float(np.median(border))
    if paper > 127:  # dark ink on light paper: MNIST digits are light on black, so invert
        gray, paper = 255 - gray, 255 - paper
    return np.clip(gray - paper, 0, None)


def prepare_photo(photo: Image.Image) -> np.ndarray:
    """A photo from ``open_photo`` as MNIST would have it: grayscale, ink found and kept, centred."""
    ink = _ink(np.asarray(photo.convert("L"), dtype="float32"))
    if ink.max() < MIN_CONTRAST:
        raise DigitImageError(_("No ink found: the image looks blank. Write the digit darker and bigger, "
                                "on plain paper, and try again."))
    ink[ink < 0.3 * ink.max()] = 0  # drop paper texture and shadows
    return centre_digit(ink)


# --- A drawing -----------------------------------------------------------------------------------

def prepare_drawing(ink: np.ndarray) -> np.ndarray:
    """A drawing (a square array of ink, 0 = none, 255 = full) prepared like MNIST, as ``centre_digit``.

    Raises ``DigitImageError`` when the canvas is empty or the drawing is too small to read: scaled
    up to 20x20, a dot or a short dash would still get a confident, meaningless guess.
    """
    ink = np.asarray(ink, dtype="float32")
    if not ink.any():
        raise DigitImageError(_("The canvas is empty: draw one digit, big enough to fill most of the box."))
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    extent = max(rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1)
    if extent < MIN_DRAWING_EXTENT * max(ink.shape):
        raise DigitImageError(_("Too little ink to read: draw the digit bigger, filling most of the box."))
    return centre_digit(ink)
