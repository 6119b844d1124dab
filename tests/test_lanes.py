"""conftest.py's two lanes for make test: every notebook has its place, and every place names a file."""

import importlib.util

import pytest

from course_utils import PROJECT_ROOT


@pytest.fixture(scope="module")
def lanes():
    spec = importlib.util.spec_from_file_location("course_conftest", PROJECT_ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_place_in_a_lane_names_one_file(lanes):
    for lane, prefixes in lanes.LANES.items():
        for prefix in prefixes:
            folder, name = prefix.split("/")
            assert len(list((PROJECT_ROOT / folder).glob(f"{name}*"))) == 1, (lane, prefix)


def test_every_notebook_has_its_own_place(lanes):
    """A new notebook must be given a lane (it would otherwise run after the unit tests; conftest refuses
    one that loads 04's model outside the article lane)."""
    places = {}
    for path in sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")):
        lane, place = lanes.lane_and_place(f"notebooks/{path.name}::Cell 0")
        assert place < len(lanes.LANES[lane]), f"{path.name} has no place in conftest.py's LANES"
        places[path.name] = (lane, place)
    assert len(set(places.values())) == len(places)
    assert places["04_training.ipynb"] == ("article", 0)


def test_a_unit_test_file_runs_last_in_the_quick_lane(lanes):
    assert lanes.lane_and_place("tests/test_cache.py::test_x") == ("quick", len(lanes.LANES["quick"]))
    assert lanes.lane_and_place("tests/test_digit_image.py::test_x")[0] == "article"
