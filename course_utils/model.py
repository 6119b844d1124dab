"""The article's convnet (with optional batch normalisation, dropout and augmentation for the
experiments), and two other networks to compare it with: a dense network of about the same size
(notebook 11) and the keras-io "Simple MNIST convnet" example (a peer in ``make bench``)."""

from __future__ import annotations

import keras
from keras import layers

from course_utils.data import IMAGE_SHAPE, NUM_CLASSES

#: What ``model.summary()`` reports for the article's network.
ARTICLE_PARAMETER_COUNT = 257_162
#: How fast BatchNormalization's running mean and variance follow the batches: each step moves them
#: (1 - momentum) of the way to the batch's. Keras' default (0.99) needs many
#: hundreds of steps to forget its initial values; 0.9 follows ten times faster, though after one short
#: epoch the running statistics still lag (notebook 08 measures it).
BATCH_NORM_MOMENTUM = 0.9
#: The dense network's hidden layers: 280 and 128 units give 257,058 parameters, within 0.1% of the convnet.
DENSE_UNITS = (280, 128)
#: How far the augmentation layers move, turn and scale a training digit (notebook 11): up to 10% of the
#: image (2.8 pixels) each way, up to 10 degrees (RandomRotation's factor is a fraction of a full turn),
#: up to 10% larger or smaller.
AUGMENTATION = {"translation": 0.1, "rotation": 10 / 360, "zoom": 0.1}


def make_augmentation() -> list[layers.Layer]:
    """Notebook 11's augmentation layers: a random shift, rotation and zoom of each training image.

    They are active only in training (``model.fit``); ``predict`` and ``evaluate`` pass images through
    unchanged. The corners they uncover are filled with 0, the background of an MNIST digit.
    """
    blank = {"fill_mode": "constant", "fill_value": 0.0}
    return [
        layers.RandomTranslation(AUGMENTATION["translation"], AUGMENTATION["translation"], **blank),
        layers.RandomRotation(AUGMENTATION["rotation"], **blank),
        layers.RandomZoom(AUGMENTATION["zoom"], **blank),
    ]


def _compiled(model: keras.Model, optimizer, label_smoothing: float) -> keras.Model:
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing is in [0, 1), got {label_smoothing}")
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
        metrics=["accuracy"],
    )
    return model


def make_classifier(
    optimizer: str | keras.optimizers.Optimizer = "rmsprop",
    *,
    batch_norm: bool = False,
    dropout: float = 0.0,
    label_smoothing: float = 0.0,
    augment: bool = False,
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
        augment: start with ``make_augmentation()``'s layers (active only in training; no weights).
    """
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout is a rate in [0, 1), got {dropout}")

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
            *(make_augmentation() if augment else []),
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
        name="article_convnet" if not (batch_norm or dropout or augment) else "convnet_variant",
    )
    return _compiled(model, optimizer, label_smoothing)


def make_dense_classifier(optimizer: str | keras.optimizers.Optimizer = "rmsprop", *,
                          label_smoothing: float = 0.0) -> keras.Model:
    """Notebook 11's dense network: Flatten -> Dense(280, relu) -> Dense(128, relu) -> Dense(10, softmax).

    No convolution: every pixel has its own weight into every first-layer unit. 257,058 parameters,
    about as many as the convnet, compiled the same way.
    """
    model = keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            layers.Flatten(),
            *[layers.Dense(units, activation="relu") for units in DENSE_UNITS],
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="dense_network",
    )
    return _compiled(model, optimizer, label_smoothing)


def make_keras_io_classifier(optimizer: str | keras.optimizers.Optimizer = "adam", *,
                             label_smoothing: float = 0.0) -> keras.Model:
    """The network of the keras-io example "Simple MNIST convnet", written here from its description.

    Conv2D(32, 3x3, relu) -> MaxPool(2) -> Conv2D(64, 3x3, relu) -> MaxPool(2) -> Flatten -> Dropout(0.5)
    -> Dense(10, softmax), "valid" padding (Keras' default); 34,826 parameters. The example trains it
    with Adam, batch size 128, 15 epochs: the ``KERAS_IO`` recipe.
    """
    model = keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="keras_io_convnet",
    )
    return _compiled(model, optimizer, label_smoothing)


def architecture(model: keras.Model) -> list[tuple]:
    """The layers of a model as (type, output shape, settings) without names: compare two models with it."""
    keys = ("filters", "kernel_size", "strides", "padding", "activation", "pool_size", "units", "rate", "use_bias",
            "height_factor", "width_factor", "factor", "fill_mode", "fill_value")
    return [
        (type(layer).__name__, tuple(layer.output.shape), {k: v for k, v in layer.get_config().items() if k in keys})
        for layer in model.layers
    ]
