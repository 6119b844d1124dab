"""Exercises of 11 · Why a convnet, and augmentation: what a dense layer pays for the image size, how a
shift travels through the convnet, and augmentation layers in Keras' own units."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import keras

from course_utils.data import IMAGE_SIZE
from course_utils.exercises.core import Exercise, bind, close, number_exercise
from course_utils.i18n import N_, _, pgettext

#: Exercise 3 asks for shifts of up to this many pixels and turns of up to this many degrees.
SHIFT_PIXELS = 2
TURN_DEGREES = 15


def dense_parameters(image_size: int, units: int = 280) -> int:
    """Weights and biases of a Dense layer of ``units`` units on a flattened ``image_size`` x ``image_size`` image."""
    return image_size * image_size * units + units


def _layers(answer: Any) -> list | None:
    if isinstance(answer, keras.Sequential):
        return list(answer.layers)
    if isinstance(answer, (list, tuple)) and all(isinstance(layer, keras.layers.Layer) for layer in answer):
        return list(answer)
    return None


#: What each direction of exercise 3 is asked to be: the kind of layer, its argument, the reach
#: (a fraction, as Keras takes it) and its tolerance.
MOTIONS = {
    "up/down": ("RandomTranslation", "height_factor", SHIFT_PIXELS / IMAGE_SIZE, 0.003),
    "left/right": ("RandomTranslation", "width_factor", SHIFT_PIXELS / IMAGE_SIZE, 0.003),
    "turn": ("RandomRotation", "factor", TURN_DEGREES / 360, 0.001),
}
#: The directions of the shift as the messages say them ("moves the digit up/down").
DIRECTIONS = {"up/down": N_("up/down"), "left/right": N_("left/right")}


def _range(factor: Any) -> tuple[float, float]:
    """A factor as Keras reads it: a (lower, upper) pair, or one number x for the range -x to x."""
    if isinstance(factor, (list, tuple)):
        lower, upper = sorted(map(float, factor))
        return lower, upper
    return -abs(float(factor)), abs(float(factor))


def _diagnose_motion(direction: str, ranges: list[tuple[float, float]]) -> str | None:
    """Whether the layers' ranges for one direction reach as far as asked, as far both ways. The messages say
    what the answer's factors do, in pixels or degrees, never which factor is right."""
    kind, argument, reach, tolerance = MOTIONS[direction]
    way = _(DIRECTIONS[direction]) if direction in DIRECTIONS else direction
    moving = [(lower, upper) for lower, upper in ranges if (lower, upper) != (0.0, 0.0)]
    if len(moving) > 1:
        if kind == "RandomRotation":
            return _("{count} RandomRotation layers turn the digit: their turns add up, so it can turn further "
                     "than asked; keep one RandomRotation layer.").format(count=len(moving))
        return _("{count} RandomTranslation layers move the digit {direction}: "
                 "their shifts add up, so it can move further than asked; "
                 "keep one layer for each direction (set {argument}=0 in the others).").format(
            count=len(moving), direction=way, argument=argument)
    lower, upper = moving[0] if moving else (0.0, 0.0)
    if kind == "RandomTranslation":
        if not moving:
            return _("nothing moves the digit {direction}: RandomTranslation's {argument} is 0. "
                     "The question asks for up to {pixels} pixels in each direction.").format(
                direction=way, argument=argument, pixels=SHIFT_PIXELS)
        if not close(-lower, upper, tolerance):
            return _("RandomTranslation's {argument} moves the digit further one way than the other; "
                     "the question asks for up to {pixels} pixels in each direction. "
                     "One number x stands for the symmetric range -x to x.").format(argument=argument,
                                                                                   pixels=SHIFT_PIXELS)
        if not close(upper, reach, tolerance):
            return _("your {argument} of {factor:.3g} moves the digit up to {moved:.3g} pixels "
                     "{direction}; the question asks for {pixels}. RandomTranslation's factors are fractions "
                     "of the image's size, {size} pixels.").format(
                argument=argument, factor=upper, moved=upper * IMAGE_SIZE, direction=way, pixels=SHIFT_PIXELS,
                size=IMAGE_SIZE)
        return None
    if not close(-lower, upper, tolerance):
        return _("RandomRotation's factor turns the digit further one way than the other; the question asks for up "
                 "to {degrees} degrees either way. One number x stands for the symmetric range -x to x.").format(
            degrees=TURN_DEGREES)
    degrees = f"{upper * 360:.3g}"
    if close(upper, TURN_DEGREES / 180, 1e-4):
        return _("that is {asked} degrees as a fraction of half a turn (180 degrees), so it turns the digit up "
                 "to {degrees} degrees; RandomRotation's factor is a fraction of a full turn.").format(
            asked=TURN_DEGREES, degrees=degrees)
    if close(upper, math.radians(TURN_DEGREES), 1e-4):
        return _("that is {asked} degrees in radians, which turns the digit up to {degrees} degrees; "
                 "RandomRotation's factor is a fraction of a full turn (360 degrees).").format(
            asked=TURN_DEGREES, degrees=degrees)
    if not close(upper, reach, tolerance):
        return _("your factor of {factor:.3g} turns the digit up to {degrees} degrees; the question asks for "
                 "{asked}. RandomRotation's factor is a fraction of a full turn (360 degrees).").format(
            factor=upper, degrees=degrees, asked=TURN_DEGREES)
    return None


def _diagnose_augmentation(answer: Any) -> str | None:
    layers = _layers(answer)
    if layers is None:
        return _("the answer should be a keras.Sequential (or a list) of Keras layers, not a {kind}.").format(
            kind=type(answer).__name__)
    configs = [(type(layer).__name__, layer.get_config()) for layer in layers]
    kinds = {kind for kind, _config in configs}
    missing = [kind for kind in ("RandomTranslation", "RandomRotation") if kind not in kinds]
    if len(missing) == 1:
        return _("there is no {layer} layer; the question asks for a shift and a turn.").format(layer=missing[0])
    if missing:
        return _("there is no {first} and no {second} layer; the question asks for a shift and a turn.").format(
            first=missing[0], second=missing[1])
    extra = sorted(kinds - {"RandomTranslation", "RandomRotation"})
    if extra:
        return _("only a shift and a turn are asked: remove {layers}.").format(
            layers=pgettext("list separator", ", ").join(extra))
    for direction, (kind, argument, _reach, _tolerance) in MOTIONS.items():
        mistake = _diagnose_motion(direction, [_range(config[argument]) for name, config in configs if name == kind])
        if mistake:
            return mistake
    for kind, config in configs:
        if config["fill_mode"] == "constant" and config["fill_value"] != 0:
            return _("{layer} fills the corners it uncovers with fill_mode={mode!r} and fill_value={value}, which "
                     "draws strokes that are not part of the digit; use fill_mode='constant', fill_value=0.").format(
                layer=kind, mode=config["fill_mode"], value=config["fill_value"])
        if config["fill_mode"] != "constant":
            return _("{layer} fills the corners it uncovers with fill_mode={mode!r}, which draws strokes that are "
                     "not part of the digit; use fill_mode='constant', fill_value=0.").format(
                layer=kind, mode=config["fill_mode"])
    return None


def _unknown(name: str) -> str:
    """The message for a number no known mistake explains: no hint, no answer."""
    return _("that is not the expected number, and not a mistake this check knows. Work it out step by step; "
             "ex.{name}.hint() gives a hint.").format(name=name)


def exercises() -> SimpleNamespace:
    return bind(_q1(), _q2(), _q3())


def _q1() -> Exercise:
    small, large = dense_parameters(IMAGE_SIZE), dense_parameters(2 * IMAGE_SIZE)
    return number_exercise(
        "q1",
        _("Predict: how many parameters would the dense network's first layer, Dense(280), have on 56x56 "
          "images?"),
        large,
        correct=_("56 x 56 = 3,136 pixels, each with a weight into each of the 280 units, plus 280 biases: "
                  "{parameters:,}, four times the 28x28 count. A Conv2D(32, (3, 3)) layer keeps its 320 "
                  "parameters whatever the image size.").format(parameters=large),
        hint=_("every pixel of the flattened image has one weight into every unit, and every unit has a bias."),
        solution="first_layer_parameters = 56 * 56 * 280 + 280",
        expected=_unknown("q1"),
        mistakes=[
            (small, _("that is the count on 28x28 images; a 56x56 image has four times as many pixels.")),
            (large - 280, _("close: each of the 280 units also has a bias.")),
            (2 * small, _("a 56x56 image is twice as wide AND twice as tall: four times as many pixels, not "
                          "two.")),
            (320, _("that is a Conv2D(32, (3, 3)) layer, whose count does not depend on the image size; "
                    "the Dense layer's does.")),
        ],
    )


def _q2() -> Exercise:
    return number_exercise(
        "q2", _("Predict: a digit moved 4 pixels to the right; by how many cells do the 7x7 feature maps of the "
                "convnet's third convolution move?"),
        1,
        correct=_("each 2x2 max-pooling halves the map and the shift with it: 4 pixels on 28x28, 2 cells on "
                  "14x14, 1 cell on 7x7. The maps move with the digit; the Dense layer after them sees them "
                  "moved."),
        hint=_("a convolution moves its output with its input; a 2x2 max-pooling halves the width of the map."),
        solution="cells = 4 / 2 / 2  # two 2x2 max-poolings, each halves the shift",
        expected=_unknown("q2"),
        mistakes=[
            (4, _("the convolutions keep the shift, but each of the two poolings halves it: 28 -> 14 -> 7.")),
            (2, _("that is after the first pooling (14x14); the third convolution comes after the second.")),
            (0, _("convolutions and pooling do not undo a shift: the feature maps move with the digit.")),
            (0.5, _("a 4-pixel shift is halved twice, once per pooling: 4 / 2 / 2.")),
        ],
    )


def _q3() -> Exercise:
    return Exercise(
        "q3", _("Build a keras.Sequential of augmentation layers that moves a digit up to {pixels} pixels "
                "in each direction and turns it up to {degrees} degrees either way, filling what it "
                "uncovers with 0").format(pixels=SHIFT_PIXELS, degrees=TURN_DEGREES),
        _diagnose_augmentation,
        correct=_("RandomTranslation takes fractions of the image size ({pixels}/{size}) and "
                  "RandomRotation fractions of a full turn ({degrees}/360); fill_mode='constant' keeps "
                  "the background blank.").format(pixels=SHIFT_PIXELS, size=IMAGE_SIZE, degrees=TURN_DEGREES),
        expected=_("the answer should be a keras.Sequential of augmentation layers that move a digit up to "
                   "{pixels} pixels each way and turn it up to {degrees} degrees each way, "
                   "filling with 0.").format(pixels=SHIFT_PIXELS, degrees=TURN_DEGREES),
        hint_text=_("both layers take fractions, not pixels or degrees: of the image's size for "
                    "RandomTranslation, of a full turn for RandomRotation. One number x stands for the range -x "
                    "to x. Their default fill_mode is 'reflect'."),
        solution_code=(
            "augment = keras.Sequential([\n"
            f"    keras.layers.RandomTranslation({SHIFT_PIXELS} / 28, {SHIFT_PIXELS} / 28, "
            "fill_mode=\"constant\"),\n"
            f"    keras.layers.RandomRotation({TURN_DEGREES} / 360, fill_mode=\"constant\"),\n"
            "])"),
    )
