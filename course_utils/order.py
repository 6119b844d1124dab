"""What runs before what: ``notebooks/order.toml``, read by ``make run`` and ``make test``.

A name is a notebook's file name without ``.ipynb`` (``04_training``) or a test file's path from the
project root (``tests/test_digit_image.py``). The file's comments say what each table means.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from course_utils import PROJECT_ROOT

ORDER_FILE = PROJECT_ROOT / "notebooks" / "order.toml"
#: In a lane, the place of every test file that no lane names.
OTHER_TESTS = "tests"


@dataclass(frozen=True)
class Order:
    first: str  # the notebook that loads the data
    needs: dict[str, tuple[str, ...]]
    lanes: dict[str, tuple[str, ...]]

    def needs_of(self, name: str) -> tuple[str, ...]:
        """What ``name`` needs: its declared needs and, for a notebook, ``first``."""
        implicit = () if name == self.first or name.endswith(".py") else (self.first,)
        return implicit + self.needs.get(name, ())

    def lane_of(self, name: str) -> str | None:
        """The lane ``name`` runs in (a test file no lane names, wherever it is: the lane of ``OTHER_TESTS``)."""
        for lane, names in self.lanes.items():
            if name in names:
                return lane
        if name.endswith(".py"):  # any test file: tests/, tests/browser/, class/
            return self.lane_of(OTHER_TESTS)
        return None

    def place(self, name: str) -> int:
        """The position of ``name`` in its lane."""
        lane = self.lanes[self.lane_of(name)]
        return lane.index(name) if name in lane else lane.index(OTHER_TESTS)


def read_order(path: Path = ORDER_FILE) -> Order:
    """The order in ``path``; a clear error when the file is broken."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Order(data["first"], {name: tuple(needs) for name, needs in data.get("needs", {}).items()},
                     {lane: tuple(names) for lane, names in data["lanes"].items()})
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{path} cannot be read as the course's order ({error!r}); see the comments at its top "
                         "for what it holds") from error


def blocked_by(name: str, not_done: set[str], order: Order) -> list[str]:
    """The needs of ``name`` among ``not_done`` (notebooks that failed or were skipped), in order."""
    return [need for need in order.needs_of(name) if need in not_done]


def lane_problems(order: Order, names: list[str]) -> list[str]:
    """What is wrong with the lanes for the notebooks and test files ``names``: one sentence each."""
    problems = []
    listed = [name for lane in order.lanes.values() for name in lane]
    problems += [f"{name} appears twice in the lanes" for name in sorted({n for n in listed if listed.count(n) > 1})]
    problems += [f"{name} has no place in a lane" for name in names if order.lane_of(name) is None]
    for name, needs in sorted(order.needs.items()):
        for need in needs:
            if order.lane_of(need) is None:
                problems.append(f"{name} needs {need}, which is in no lane")
            elif order.lane_of(name) == order.lane_of(need) and order.place(need) >= order.place(name):
                problems.append(f"{name} needs {need}, which comes after it in the {order.lane_of(name)} lane")
    return problems


def run_order(order: Order, names: list[str]) -> list[str]:
    """``names`` in an order that runs every need first, lane by lane place (one process, no lanes)."""
    pending = sorted(names, key=lambda name: (order.place(name), list(order.lanes).index(order.lane_of(name))))
    ordered: list[str] = []
    while pending:
        ready = next((name for name in pending if not set(order.needs.get(name, ())) & set(pending) - {name}), None)
        if ready is None:
            raise ValueError(f"notebooks/order.toml: the needs of {', '.join(pending)} go round in a circle")
        ordered.append(ready)
        pending.remove(ready)
    return ordered
