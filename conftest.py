"""pytest setup shared by the unit tests and nbval.

The course's environment variables are set here, before any notebook kernel starts, because a
kernel inherits them and TensorFlow reads them when it loads.

What runs before what is ``notebooks/order.toml`` (``course_utils.order``). ``make test`` runs its two
lanes at once, one pytest process each (``tests/lanes.py`` starts them with ``--lane``); a plain
``pytest`` runs everything in one process, in an order that puts every need first. Either way a
notebook placed where its needs cannot come first is refused before anything runs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from course_utils import set_environment
from course_utils.order import lane_problems, read_order, run_order

set_environment()

_STARTED = time.time()
#: Set by tests/lanes.py: the folder where each lane marks the notebooks it has finished.
LANES_VARIABLE = "COURSE_LANES_DIR"
#: How long a lane waits for a notebook of the other lane before it gives up.
WAIT_SECONDS = 45 * 60


def pytest_addoption(parser):
    parser.addoption("--lane", default=None, help="run only this lane of notebooks/order.toml (make test runs "
                     "each lane in its own process, at once)")


def entry_name(item) -> str:
    """The name notebooks/order.toml gives an item's file: ``04_training`` or ``tests/test_cache.py``."""
    if item.path.suffix == ".ipynb":
        return item.path.stem
    return item.path.relative_to(item.config.rootpath).as_posix()


def pytest_collection_modifyitems(session, config, items):
    order = read_order()
    names = sorted({entry_name(item) for item in items})
    problems = lane_problems(order, names)
    lane = config.getoption("lane")
    if lane is not None and lane not in order.lanes:
        problems.append(f"--lane {lane}: there is no such lane (the lanes are {', '.join(order.lanes)})")
    if problems:
        raise pytest.UsageError("notebooks/order.toml: " + "; ".join(problems))
    if lane is not None:
        config.hook.pytest_deselected(items=[item for item in items if order.lane_of(entry_name(item)) != lane])
        items[:] = [item for item in items if order.lane_of(entry_name(item)) == lane]
    position = {name: index for index, name in enumerate(run_order(order, names))}
    items.sort(key=lambda item: position[entry_name(item)])  # stable: cells keep their order
    _run.update(order=order, lane=lane, last={item.nodeid: entry_name(item) for item in items}, failed=set(),
                blocked={})


#: This process's run: the order, its lane, the last item of each file, the files that failed or wait in vain.
_run: dict = {}


def _name_of(nodeid: str) -> str:
    path = nodeid.split("::")[0]
    return Path(path).stem if path.endswith(".ipynb") else path


def _marker(name: str) -> Path:
    return Path(os.environ[LANES_VARIABLE]) / f"{name.replace('/', '__')}.done"


def _wait_for(name: str) -> str:
    """Wait until the other lane has finished ``name``; return how it went ("passed" or "failed")."""
    marker, deadline = _marker(name), time.monotonic() + WAIT_SECONDS
    while not marker.exists():
        if time.monotonic() > deadline:
            raise pytest.fail.Exception(f"waited {WAIT_SECONDS // 60} min for {name} in the other lane; "
                                        "check notebooks/order.toml for needs that wait for each other")
        time.sleep(1)
    return marker.read_text(encoding="utf-8")


def pytest_runtest_setup(item):
    name, blocked = entry_name(item), _run["blocked"]
    if name not in blocked:  # the first item of its file: wait for its needs in the other lane
        blocked[name] = []
        if _run["lane"] is not None and os.environ.get(LANES_VARIABLE):
            order = _run["order"]
            blocked[name] = [need for need in order.needs.get(name, ())
                             if order.lane_of(need) != _run["lane"] and _wait_for(need) != "passed"]
    if blocked[name]:
        pytest.skip(f"needs {', '.join(blocked[name])}, which failed in the other lane")


def pytest_runtest_logreport(report):
    if report.failed:
        _run["failed"].add(_name_of(report.nodeid))


def pytest_runtest_logfinish(nodeid, location):
    """After the last item of a file, mark the file done for the other lane (passed or failed)."""
    name = _run.get("last", {}).get(nodeid)
    if name is not None and os.environ.get(LANES_VARIABLE):
        failed = name in _run["failed"] or _run["blocked"].get(name)
        _marker(name).write_text("failed" if failed else "passed", encoding="utf-8")


def pytest_terminal_summary(terminalreporter):
    """In a run that trained the article's model (notebook 04): its cost in article epochs. Under
    tests/lanes.py the runner prints that line once, for both lanes."""
    ran_notebooks = any(".ipynb::" in getattr(report, "nodeid", "")
                        for reports in terminalreporter.stats.values() for report in reports)
    if os.environ.get(LANES_VARIABLE) or not ran_notebooks:
        return
    from course_utils import load_tensorflow

    total = time.time() - _STARTED
    try:
        load_tensorflow()
        from course_utils.cache import epoch_seconds_since
        from course_utils.training import ARTICLE

        epoch = epoch_seconds_since(ARTICLE, _STARTED)
    except (OSError, ValueError, KeyError, ZeroDivisionError):
        epoch = None
    if epoch is not None:
        terminalreporter.write_line(f"test cost: {total:.0f} s = {total / epoch:.1f} article epochs of {epoch:.1f} s "
                                    "(as notebook 04 timed them in this run)")
