"""Experiments: several recipes over several seeds, summarised as mean ± sd.

How much each run trains is the training budget (``course_utils.budget``, ``COURSE_BUDGET``). Every
run goes through the cache (``course_utils.cache.load_or_score``), so a grid trained once is only
loaded the next time, and two notebooks that share a recipe train it once. The lines and the table speak the
course's language (``course_utils.i18n``); their columns are counted on screen (``text_width``), so that Chinese
headings and variant names line up as English ones do.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from course_utils.budget import Budget, current_budget
from course_utils.cache import load_or_score
from course_utils.data import PreparedData
from course_utils.figures import marked, trained
from course_utils.i18n import _, pgettext
from course_utils.training import Recipe


@dataclass(frozen=True)
class Run:
    """One trained recipe: its variant name, history (per epoch) and test scores."""

    variant: str
    recipe: Recipe
    history: dict
    scores: dict

    @property
    def seconds(self) -> float:
        return float(sum(self.history["seconds"]))


def text_width(text: str) -> int:
    """How many columns ``text`` takes on screen: two for a wide character (Chinese), one for any other."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` columns on screen (``str.ljust``, or ``rjust`` when ``right``,
    for text of one-column characters), so that a column of Chinese headings or variant names lines up."""
    fill = " " * max(width - text_width(text), 0)
    return fill + text if right else text + fill


def run_recipe(variant: str, recipe: Recipe, data: PreparedData | None = None) -> Run:
    """Train ``recipe`` (or load it from the cache), score it on the test set, print one line."""
    history, scores = load_or_score(recipe, data)
    print(_("{variant} seed {seed}: validation accuracy {validation}, test accuracy {test}").format(
        variant=pad(variant, 20), seed=recipe.seed, validation=trained(history["val_accuracy"][-1], ".2%"),
        test=trained(scores["accuracy"], ".2%")), flush=True)
    return Run(variant, recipe, history, scores)


def run_grid(variants: dict[str, Recipe], budget: Budget | None = None, data: PreparedData | None = None) -> list[Run]:
    """Every variant over every seed of ``budget`` (default: ``current_budget()``)."""
    budget = budget or current_budget()
    return [run_recipe(name, budget.apply(recipe, seed), data)
            for name, recipe in variants.items() for seed in budget.seeds]


def by_variant(runs: list[Run]) -> dict[str, list[Run]]:
    """Group runs by variant name, in the order they were run."""
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.variant, []).append(run)
    return groups


def spread(values, digits: int = 2, unit: str = " %", width: int = 0) -> str:
    """``mean ± sd`` (of percentages, by default), or just the value for a single run (an sd of one run
    means nothing); right-aligned in ``width`` characters and marked as a trained figure."""
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        text = f"{values[0]:.{digits}f}{unit}"
    else:
        text = f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}{unit}"
    return marked(text.rjust(width))


def summary_table(runs: list[Run]) -> str:
    """A text table per variant: runs, validation and test accuracy (mean ± sd), test loss, training time."""
    groups = by_variant(runs)
    name_width = max(20, *(text_width(variant) + 2 for variant in groups))
    lines = [pad(pgettext("summary table", "variant"), name_width) + pad(pgettext("summary table", "runs"), 5, True)
             + pad(pgettext("summary table", "validation accuracy"), 22, True)
             + pad(pgettext("summary table", "test accuracy"), 18, True)
             + pad(pgettext("summary table", "test loss"), 11, True) + pad(pgettext("summary table", "time"), 10, True)]
    for variant, group in groups.items():
        val = spread([run.history["val_accuracy"][-1] * 100 for run in group], width=22)
        test = spread([run.scores["accuracy"] * 100 for run in group], width=18)
        loss = trained(np.mean([run.scores["loss"] for run in group]), ">11.4f")
        seconds = trained(np.mean([run.seconds for run in group]), ">8.1f")
        lines.append(f"{pad(variant, name_width)}{len(group):>5}{val}{test}{loss}{seconds} s")
    return "\n".join(lines)
