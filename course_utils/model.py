"""The article's convnet, with optional batch normalisation and dropout for the experiments."""

from __future__ import annotations

import keras
from keras import layers

from course_utils.data import IMAGE_SHAPE, NUM_CLASSES
#: What ``model.summary()`` reports for the article's network.
ARTICLE_PARAMETER_COUNT = 257_162
#: How fast BatchNormalization's running mean and variance follow the batches. Keras' default (0.99)
#: needs many hundreds of steps to forget its initial values, longer than the quick experiments train;
#: until then the network predicts with wrong statistics. 0.9 settles within a few dozen steps.
BATCH_NORM_MOMENTUM = 0.9


def make_classifier(
    optimizer: str | keras.optimizers.Optimizer = "rmsprop",
    *,
    batch_norm: bool = False,
    dropout: float = 0.0,
    label_smoothing: float = 0.0,
) -> keras.Model:
    """Build and compile the article's convnet.

    Conv2D(32) -> MaxPool -> Conv2D(64) -> MaxPool -> Conv2D(64) -> Flatten -> Dense(64) -> Dense(10),
    every convolution 3x3 with relu and ``padding="same"``; categorical cross-entropy and accuracy.
    With the defaults this is exactly the article's model (257,162 parameters).

    Args:
        optimizer: a Keras optimizer or its name ("rmsprop", "adam", ...).
        batch_norm: add BatchNormalization after each convolution and the hidden dense layer.
        dropout: if above 0, Dropout of this rate after each pooling and before the output layer.
        label_smoothing: passed to the categorical cross-entropy (0 is the article's plain loss).
    """
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout is a rate in [0, 1), got {dropout}")
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing is in [0, 1), got {label_smoothing}")

    def conv(filters: int) -> list[layers.Layer]:
        # With batch norm the convolution's bias is redundant (the norm's beta plays its role).
        block = [layers.Conv2D(filters, (3, 3), padding="same", use_bias=not batch_norm,
                               activation=None if batch_norm else "relu")]
        if batch_norm:
            block += [layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM), layers.Activation("relu")]
        return block

    def regularise() -> list[layers.Layer]:
        return [layers.Dropout(dropout)] if dropout else []

    hidden = [layers.Dense(64, use_bias=not batch_norm, activation=None if batch_norm else "relu")]
    if batch_norm:
        hidden += [layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM), layers.Activation("relu")]

    model = keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            *conv(32),
            layers.MaxPooling2D((2, 2)),
            *regularise(),
            *conv(64),
            layers.MaxPooling2D((2, 2)),
            *regularise(),
            *conv(64),
            layers.Flatten(),
            *hidden,
            *regularise(),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="article_convnet" if not (batch_norm or dropout) else "convnet_variant",
    )
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
        metrics=["accuracy"],
    )
    return model


def architecture(model: keras.Model) -> list[tuple]:
    """The layers of a model as (type, output shape, settings) without names: compare two models with it."""
    keys = ("filters", "kernel_size", "strides", "padding", "activation", "pool_size", "units", "rate", "use_bias")
    return [
        (type(layer).__name__, tuple(layer.output.shape), {k: v for k, v in layer.get_config().items() if k in keys})
        for layer in model.layers
    ]
