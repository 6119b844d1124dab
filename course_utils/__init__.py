"""Shared code for the course "Deep learning digit classification with a Keras CNN".

Each notebook starts with ``setup_course()``, which quiets TensorFlow's start-up log lines, seeds
every random generator and turns on deterministic ops, so reruns print the same thing.

Where things live (one home each):

- ``data``: loading MNIST (online or from ``MNIST_DATA_DIR``), preparing it, the validation split;
- ``model``: the article's network, ``make_classifier`` (and notebook 11's dense network and augmentation);
- ``training``: recipes (``ARTICLE``, ``FAST_TRACK``, ``ONE_EPOCH``, ``BEST``, ``KERAS_IO``) and ``train``;
- ``training``: its ``TRAINING_VERSION`` is part of every cache key: bump it when ``train`` changes;
- ``cache``: the only door to ``build/cache``: ``load_or_train`` and ``load_or_score``;
- ``budget``: how much the experiments train (``COURSE_BUDGET``: quick or full);
- ``figures``: ``trained()``, the formatter that marks figures decided by training (``tests/sanitize.cfg``);
- ``order``: what runs before what (``notebooks/order.toml``), for ``make run`` and ``make test``;
- ``files``: ``atomic_write``, the one way the course writes a file whole;
- ``i18n``: the language the course speaks (``_()``, catalogues in ``locale/``) and the glossary;
  ``translation``: the Chinese notebooks (``notebooks/zh/``) kept in step with the English ones;
- ``progress`` and ``callbacks``: training progress for ``make run`` and the widgets;
- ``experiments``, ``evaluation``, ``plotting``, ``digit_image``, ``widgets`` (a package), ``exercises``
  (one module per notebook: ``ex01_loading`` ... ``ex13_playground``), ``bench`` and ``run_all``
  (behind ``make bench`` and ``make run``).

This package imports Keras lazily: environment variables that Keras reads at import
(``KERAS_BACKEND``, ``KERAS_HOME``) can still be set before ``setup_course()`` runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

#: The seed every notebook uses unless it says otherwise.
SEED = 42
PROJECT_ROOT = Path(__file__).resolve().parents[1]

#: The environment every course process runs with: TensorFlow's C++ start-up lines silenced, Keras
#: on TensorFlow, and Python's hash seed fixed for repeatable runs. ``set_environment()`` applies it
#: (pytest's conftest, ``make run`` and ``setup_course`` call it); kernels started afterwards inherit it.
ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow", "PYTHONHASHSEED": "0"}


def set_environment() -> None:
    """Set the course's environment variables, keeping any value the user set already."""
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)


@contextlib.contextmanager
def _quiet_stderr():
    """Silence C++ log lines that TensorFlow writes to file descriptor 2 while it loads."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def load_tensorflow() -> None:
    """Import TensorFlow and Keras in the course's environment, without TensorFlow's C++ start-up lines
    (nothing to do once they are loaded). ``make run`` calls it in each kernel before the notebook starts."""
    set_environment()
    backend = os.environ["KERAS_BACKEND"]
    if backend != "tensorflow":
        raise RuntimeError(f"The course runs Keras on TensorFlow, but KERAS_BACKEND is {backend!r}: unset it "
                           "(or set it to tensorflow), then restart the kernel.")
    if "tensorflow" not in sys.modules:
        with _quiet_stderr():
            import tensorflow  # noqa: F401
    import keras  # noqa: F401


def setup_course(language: str | None = None, seed: int = SEED) -> None:
    """Prepare a notebook or script: quiet logs, Keras on TensorFlow, seeds, deterministic ops, and the
    language ``course_utils`` speaks: ``setup_course("zh")`` for Chinese, ``"en"`` for English, by default
    ``$COURSE_LANGUAGE`` or English (``course_utils.i18n``)."""
    from course_utils import i18n

    if isinstance(language, int) and not isinstance(language, bool):  # setup_course(7): the seed, as before
        language, seed = None, language
    i18n.set_language(language)
    i18n.fail_on_missing_glyphs()
    load_tensorflow()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    from course_utils import plotting

    plotting.use_course_style()


def show_source(function) -> None:
    """Print the source code of a course_utils function, so a notebook shows what it calls."""
    import inspect

    print(inspect.getsource(function).rstrip())
