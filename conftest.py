"""pytest setup shared by the unit tests and nbval.

The variables are set here, before any notebook kernel starts, because a kernel inherits them and
TensorFlow reads them when it loads.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ.setdefault("COURSE_SCALE", "quick")
