"""Shared code for the course "Deep learning digit classification with a Keras CNN".

Each notebook starts with ``setup_course()``, which quiets TensorFlow's start-up log lines, seeds
every random generator and turns on deterministic ops, so reruns print the same thing.

This package imports Keras lazily: environment variables that Keras reads at import
(``KERAS_BACKEND``, ``KERAS_HOME``) can still be set before ``setup_course()`` runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

__version__ = "0.1.0"

#: The seed every notebook uses unless it says otherwise.
SEED = 42
#: Where trained models and histories are cached, keyed by their recipe.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def cache_dir() -> Path:
    """The artifact cache: ``$COURSE_CACHE_DIR``, else ``build/cache`` in the project."""
    return Path(os.environ.get("COURSE_CACHE_DIR") or PROJECT_ROOT / "build" / "cache")


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


def setup_course(seed: int = SEED) -> None:
    """Prepare a notebook or script: quiet logs, Keras on TensorFlow, seeds, deterministic ops."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" not in sys.modules:
        with _quiet_stderr():
            import tensorflow  # noqa: F401
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
