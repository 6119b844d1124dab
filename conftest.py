"""pytest setup shared by the unit tests and nbval.

The course's environment variables are set here, before any notebook kernel starts, because a
kernel inherits them and TensorFlow reads them when it loads.
"""

from course_utils import set_environment

set_environment()
