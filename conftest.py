"""pytest setup shared by the unit tests and nbval.

The course's environment variables are set here, before any notebook kernel starts, because a
kernel inherits them and TensorFlow reads them when it loads.

At the end of a run, the summary gives its cost in *article epochs*: the run's seconds divided by the
mean epoch of the article's recipe, as notebook 04 timed it in this same run (the budget of
``make test`` is 30 such epochs; see the README's "Commands"). Under ``make test``'s two lanes 04 shares
the two cores, so its epochs are slower than alone: the summary says so, and the budget counts epochs
timed alone.
"""

import json
import time

import pytest

from course_utils import load_tensorflow, set_environment

set_environment()

_STARTED = time.time()
_RUNS_NOTEBOOKS = False


#: make test runs the suite in two lanes at once, one per core (pytest-xdist's ``-n 2``, with the lanes
#: as its work units: ``pytest_xdist_make_scheduler`` below); a lane runs its files in this order, in one
#: worker. Training uses 1.2 to 1.7 of the 2 cores (tracing, Python and kernel start-ups run on one), so two
#: lanes finish sooner than one, and no model is trained twice: the article lane trains the article's
#: model (04) before the notebooks and tests that load it, and the quick lane runs 08 and 09 first, whose
#: quick runs 10 and 11 load from the cache. A file that names no lane runs last in the quick lane.
LANES = {
    "article": ("notebooks/04_", "notebooks/05_", "notebooks/06_", "notebooks/07_", "notebooks/13_",
                "notebooks/10_", "tests/test_digit_image.py"),  # its needs_article_model test loads 04's model
    "quick": ("notebooks/08_", "notebooks/09_", "notebooks/11_", "notebooks/12_", "notebooks/01_",
              "notebooks/02_", "notebooks/03_"),
}


def lane_and_place(nodeid: str) -> tuple[str, int]:
    """The lane a test runs in, and its place there, from its node id (``notebooks/04_training.ipynb::Cell 6``)."""
    for lane, prefixes in LANES.items():
        for place, prefix in enumerate(prefixes):
            if nodeid.startswith(prefix):
                return lane, place
    return "quick", len(LANES["quick"])


def loads_the_article_model(notebook) -> bool:
    """Whether a notebook's code loads the model notebook 04 trains."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return any("load_or_train(ARTICLE)" in "".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist's
def pytest_xdist_make_scheduler(config, log):
    """Under ``-n``: each lane is one unit of work, given whole to one worker, in collection order."""
    from xdist.scheduler import LoadScopeScheduling

    class LaneScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return lane_and_place(nodeid)[0]

    return LaneScheduling(config, log)


def pytest_collection_modifyitems(session, config, items):
    global _RUNS_NOTEBOOKS
    notebooks = {item.path for item in items if item.path.suffix == ".ipynb"}
    _RUNS_NOTEBOOKS = bool(notebooks)
    loading = {path for path in notebooks if loads_the_article_model(path)}
    needs_model = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("needs_article_model")
                   or item.path in loading}
    misplaced = sorted(path for path in needs_model if lane_and_place(path)[0] != "article")
    if misplaced:  # in the other lane it would train the article's model a second time, beside notebook 04
        # (in the article lane, every place but the first, 04's, comes after 04)
        raise pytest.UsageError(f"{', '.join(misplaced)} loads the article's trained model (load_or_train(ARTICLE) or "
                                "a needs_article_model test): add it to the article lane in conftest.py's LANES, "
                                "after notebook 04")
    # The order within each lane; in one process (plain pytest) the article lane runs first, then the
    # quick lane: 04 still comes before what needs its model, and 08 and 09 load the quick runs 10 trained.
    def order(item) -> tuple[int, int]:
        lane, place = lane_and_place(item.nodeid)
        return list(LANES).index(lane), place

    items.sort(key=order)


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
        load_tensorflow()  # the recipe's key needs Keras: under pytest-xdist this process has not loaded it yet
        epoch = article_epoch_seconds(_STARTED)
    except (OSError, ValueError, KeyError, ZeroDivisionError):
        epoch = None
    if epoch is None:
        terminalreporter.write_line(f"test cost: {total:.0f} s (the article model came from the cache, so this run "
                                    "did not time an article epoch)")
    else:
        lanes = getattr(terminalreporter.config.option, "numprocesses", None) or 0
        if lanes > 1:  # 04's epochs shared the cores with the other lane: slower than alone, so count both ways
            terminalreporter.write_line(
                f"test cost: {total:.0f} s = {total / epoch:.1f} article epochs as notebook 04 timed them beside the "
                f"other lane ({epoch:.1f} s each); divide {total:.0f} s by an epoch timed alone (make run's notebook 04) "
                "for the budget, 30 such epochs")
        else:
            terminalreporter.write_line(f"test cost: {total:.0f} s = {total / epoch:.1f} article epochs "
                                        f"(notebook 04 trained one in {epoch:.1f} s in this run; the budget is 30)")
