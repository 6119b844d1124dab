"""Results of longer runs than a notebook shows, kept in ``results/<name>.json`` and shown by code.

A notebook never types a figure from a run the reader cannot see into its prose: it calls
``show_results(name)``, which prints the table and, in one line, where and when it was measured.

A results file holds::

    {"title": "...", "measured": "make bench, 3 seeds, on ... (date, machine)",
     "columns": ["recipe", "test accuracy", ...], "rows": [["article", "99.04 ± 0.06%", ...], ...]}

Cells are printed as they are stored (strings keep their own rounding), so the output never changes
unless the file does. ``make bench`` writes build/bench.json; a maintainer who wants it in a notebook
copies the figures into a results file here, with its ``measured`` line.
"""

from __future__ import annotations

import json
from pathlib import Path

from course_utils import PROJECT_ROOT
from course_utils.i18n import _

RESULTS = PROJECT_ROOT / "results"


class ResultsError(ValueError):
    """A results file is missing or damaged; the message names it."""


def read_results(name: str, folder: Path = RESULTS) -> dict:
    """The results file ``name`` (without ``.json``), checked: a title, a measured line, columns and rows."""
    path = folder / f"{name}.json"
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ResultsError(_("{path} cannot be read as a results file ({error}); restore it with git").format(
            path=path, error=error)) from error
    columns = results.get("columns") if isinstance(results, dict) else None
    rows = results.get("rows") if isinstance(results, dict) else None
    if not (isinstance(columns, list) and isinstance(rows, list) and all(
            isinstance(row, list) and len(row) == len(columns) for row in rows)
            and isinstance(results.get("title"), str) and isinstance(results.get("measured"), str)):
        raise ResultsError(_("{path} is not a results file: it needs a title, a measured line, columns, "
                             "and rows as long as the columns").format(path=path))
    return results


def results_table(results: dict) -> str:
    """The table as text: a column per field, left-aligned first column, the others right-aligned."""
    cells = [[str(cell) for cell in row] for row in [results["columns"], *results["rows"]]]
    widths = [max(len(row[index]) for row in cells) for index in range(len(results["columns"]))]
    lines = ["  ".join(cell.ljust(width) if index == 0 else cell.rjust(width)
                       for index, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in cells]
    return "\n".join(lines)


def show_results(name: str, folder: Path = RESULTS) -> dict:
    """Print the results file ``name``: its title, the table, and where and when it was measured."""
    results = read_results(name, folder)
    print(results["title"])
    print(results_table(results))
    print(_("Measured: {measured}").format(measured=results["measured"]))
    return results
