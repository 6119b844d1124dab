"""pytest setup shared by the unit tests and nbval.

The course's environment variables are set here, before any notebook kernel starts, because a
kernel inherits them and TensorFlow reads them when it loads.

At the end of a run, the summary gives its cost in *article epochs*: the run's seconds divided by the
mean epoch of the article's recipe, as notebook 04 timed it in this same run (the budget of
``make test`` is 30 such epochs; see the README's "Commands").
"""

import json
import time

import pytest

from course_utils import set_environment

set_environment()

_STARTED = time.time()
_RUNS_NOTEBOOKS = False


#: make test runs the suite in two lanes at once, one per core (pytest-xdist: -n 2 --dist loadgroup);
#: a lane runs its tests in this order, in one worker. Training uses about 1.2 of the 2 cores (tracing,
#: Python and kernel start-ups run on one), so two lanes finish sooner than one, and no model is trained
#: twice: the article lane trains the article's model (04) before the notebooks and tests that load it;
#: the other lane runs 08 and 09 first, whose quick runs 10 and 11 load from the cache.
LANES = {
    "article": ("04_", "05_", "06_", "13_", "10_"),
    "quick": ("08_", "09_", "11_", "12_", "01_", "02_", "03_", "07_"),
}


def lane_and_place(item) -> tuple[str, int]:
    """The lane an item runs in, and its place there (items keep their collection order within a place)."""
    if item.get_closest_marker("needs_article_model"):  # after notebook 04 has trained and cached the model
        return "article", len(LANES["article"])
    if item.path.suffix == ".ipynb":
        for lane, prefixes in LANES.items():
            for place, prefix in enumerate(prefixes):
                if item.path.name.startswith(prefix):
                    return lane, place
    return "quick", len(LANES["quick"])  # the unit tests, after the quick lane's notebooks


def pytest_collection_modifyitems(session, config, items):
    global _RUNS_NOTEBOOKS
    _RUNS_NOTEBOOKS = any(item.path.suffix == ".ipynb" for item in items)
    # In one process (plain pytest) the article lane runs first, then the quick lane: 04 still comes before
    # what needs its model, and a quick run that 10 trains first is loaded by 08 and 09.
    order = list(LANES)
    items.sort(key=lambda item: (order.index(lane_and_place(item)[0]), lane_and_place(item)[1]))  # stable
    for item in items:
        item.add_marker(pytest.mark.xdist_group(lane_and_place(item)[0]))


def article_epoch_seconds(since: float) -> float | None:
    """The mean epoch seconds of the article model trained since ``since`` (by notebook 04), or None
    when it was not trained in that time (it came from the cache)."""
    from course_utils.cache import entry_paths
    from course_utils.training import ARTICLE

    _, record_path = entry_paths(ARTICLE)
    if not record_path.is_file() or record_path.stat().st_mtime < since:
        return None
    seconds = json.loads(record_path.read_text(encoding="utf-8"))["history"]["seconds"]
    return sum(seconds) / len(seconds)


def ran_notebooks(terminalreporter) -> bool:
    """Whether this run ran notebooks (under pytest-xdist the workers collect, so ask the reports)."""
    if _RUNS_NOTEBOOKS:
        return True
    return any(".ipynb::" in getattr(report, "nodeid", "") for reports in terminalreporter.stats.values()
               for report in reports)


def pytest_terminal_summary(terminalreporter):
    if not ran_notebooks(terminalreporter):  # the cost is about make test, which runs the notebooks
        return
    total = time.time() - _STARTED
    try:
        epoch = article_epoch_seconds(_STARTED)
    except (OSError, ValueError, KeyError, ZeroDivisionError):
        epoch = None
    if epoch is None:
        terminalreporter.write_line(f"test cost: {total:.0f} s (the article model came from the cache, so this run "
                                    "did not time an article epoch)")
    else:
        lanes = getattr(terminalreporter.config.option, "numprocesses", None) or 0
        beside = ", with the other lane running beside it" if lanes > 1 else ""
        terminalreporter.write_line(f"test cost: {total:.0f} s = {total / epoch:.1f} article epochs "
                                    f"(notebook 04 trained one in {epoch:.1f} s in this run{beside}; the budget is 30)")
