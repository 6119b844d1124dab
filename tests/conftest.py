import pytest

from course_utils import setup_course
from course_utils.data import PreparedData
from tests.tiny import tiny_prepared_data


@pytest.fixture(scope="session", autouse=True)
def course():
    """Set the course up once, before the first test: TensorFlow's start-up lines quieted, seeds, deterministic ops."""
    setup_course()


@pytest.fixture(scope="session")
def tiny_data(course) -> PreparedData:
    """tests/tiny.py's data set, made once for the session and shared by every test that trains on it:
    train on it, never change it."""
    return tiny_prepared_data()
