"""pytest setup shared by the unit tests and nbval.

The course's environment variables are set here, before any notebook kernel starts, because a
kernel inherits them and TensorFlow reads them when it loads.

At the end of a run, the summary gives its cost in *article epochs*: the run's seconds divided by the
mean epoch of the article's recipe, as notebook 04 timed it in this same run (the budget of
``make test`` is 30 such epochs; see the README's "Commands").
"""

import json
import time

from course_utils import set_environment

set_environment()

_STARTED = time.time()
_RUNS_NOTEBOOKS = False


def pytest_collection_modifyitems(session, config, items):
    global _RUNS_NOTEBOOKS
    _RUNS_NOTEBOOKS = any(str(item.path).endswith(".ipynb") for item in items)
    # Tests that need the article's trained model go last, after the notebooks: notebook 04 trains and
    # caches it, so in make test from a clean clone they test it instead of skipping.
    items.sort(key=lambda item: item.get_closest_marker("needs_article_model") is not None)  # a stable sort


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


def pytest_terminal_summary(terminalreporter):
    if not _RUNS_NOTEBOOKS:  # the cost is about make test, which runs the notebooks
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
        terminalreporter.write_line(f"test cost: {total:.0f} s = {total / epoch:.1f} article epochs "
                                    f"(notebook 04 trained one in {epoch:.1f} s in this run; the budget is 30)")
