"""notebooks/order.toml: what runs before what, for make run and make test's two lanes."""

from __future__ import annotations

import dataclasses

import pytest

from course_utils import PROJECT_ROOT
from course_utils.order import Order, blocked_by, lane_problems, read_order, run_order

ORDER = read_order()
NOTEBOOKS = sorted(path.stem for path in (PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TESTS = sorted(f"tests/{path.name}" for path in (PROJECT_ROOT / "tests").glob("test_*.py"))


def test_the_course_order_has_no_problem_and_a_place_for_every_notebook():
    assert lane_problems(ORDER, NOTEBOOKS + TESTS) == []
    assert all(ORDER.lane_of(name) in ORDER.lanes for name in NOTEBOOKS)
    assert ORDER.place("04_training") == 0 and ORDER.lane_of("tests/test_cache.py") == ORDER.lane_of("tests")


def test_every_name_in_the_order_is_a_file():
    names = {ORDER.first, *ORDER.needs, *(need for needs in ORDER.needs.values() for need in needs),
             *(name for lane in ORDER.lanes.values() for name in lane)} - {"tests"}
    assert sorted(name for name in names if name not in NOTEBOOKS and not (PROJECT_ROOT / name).is_file()) == []


def moved(order: Order, name: str, lane: str, place: int) -> Order:
    lanes = {other: tuple(n for n in names if n != name) for other, names in order.lanes.items()}
    lanes[lane] = lanes[lane][:place] + (name,) + lanes[lane][place:]
    return dataclasses.replace(order, lanes=lanes)


def test_a_notebook_before_what_it_needs_in_its_lane_is_refused():
    early = moved(ORDER, "05_plotting_history", "article", 0)
    assert lane_problems(early, NOTEBOOKS) == ["05_plotting_history needs 04_training, which comes after it in the "
                                               "article lane"]


def test_a_notebook_in_no_lane_or_twice_is_refused():
    lanes = {lane: tuple(n for n in names if n != "12_distributed_training") for lane, names in ORDER.lanes.items()}
    assert lane_problems(dataclasses.replace(ORDER, lanes=lanes), NOTEBOOKS) == [
        "12_distributed_training has no place in a lane"]
    twice = dataclasses.replace(ORDER, lanes={**ORDER.lanes, "quick": ORDER.lanes["quick"] + ("04_training",)})
    assert "04_training appears twice in the lanes" in lane_problems(twice, NOTEBOOKS)


def test_a_need_in_the_other_lane_is_allowed_and_run_first_in_one_process():
    other = moved(ORDER, "05_plotting_history", "quick", 0)  # it waits for 04 in the other lane
    assert lane_problems(other, NOTEBOOKS) == []
    ordered = run_order(other, NOTEBOOKS)
    assert ordered.index("04_training") < ordered.index("05_plotting_history")
    assert all(ordered.index(need) < ordered.index(name) for name, needs in ORDER.needs.items() for need in needs
               if name in NOTEBOOKS)


def test_needs_that_go_round_in_a_circle_are_refused():
    circle = dataclasses.replace(ORDER, needs={**ORDER.needs, "04_training": ("05_plotting_history",)})
    with pytest.raises(ValueError, match="go round in a circle"):
        run_order(circle, NOTEBOOKS)


def test_make_run_skips_what_needs_a_notebook_that_failed():
    assert blocked_by("02_reshaping_and_encoding", {"01_loading_mnist"}, ORDER) == ["01_loading_mnist"]
    assert blocked_by("10_fast_track", {"04_training", "09_optimizers"}, ORDER) == ["04_training", "09_optimizers"]
    assert blocked_by("12_distributed_training", {"04_training"}, ORDER) == []


def test_a_broken_order_file_is_named(tmp_path):
    path = tmp_path / "order.toml"
    path.write_text("first = \n", encoding="utf-8")
    with pytest.raises(ValueError, match="order.toml cannot be read as the course's order"):
        read_order(path)


def test_a_test_file_outside_tests_runs_with_the_other_tests():
    """make test-class runs class/test_class.py through the same conftest: it must find a place."""
    assert ORDER.lane_of("class/test_class.py") == ORDER.lane_of("tests")
    assert lane_problems(ORDER, ["class/test_class.py", "tests/browser/check_lab.py"]) == []
