"""Experiments: several recipes over several seeds, summarised as mean ± sd.

How much each run trains is the training budget (``course_utils.budget``, ``COURSE_BUDGET``). Every
run goes through the cache (``course_utils.cache.load_or_score``), so a grid trained once is only
loaded the next time, and two notebooks that share a recipe train it once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_utils.budget import Budget, current_budget
from course_utils.cache import load_or_score
from course_utils.data import PreparedData
from course_utils.figures import marked, trained
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


def run_recipe(variant: str, recipe: Recipe, data: PreparedData | None = None) -> Run:
    """Train ``recipe`` (or load it from the cache), score it on the test set, print one line."""
    history, scores = load_or_score(recipe, data)
    print(f"{variant:<20} seed {recipe.seed}: validation accuracy {trained(history['val_accuracy'][-1], '.2%')}, "
          f"test accuracy {trained(scores['accuracy'], '.2%')}", flush=True)
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
    name_width = max(20, *(len(variant) + 2 for variant in groups))
    lines = [f"{'variant':<{name_width}}{'runs':>5}{'validation accuracy':>22}{'test accuracy':>18}"
             f"{'test loss':>11}{'time':>10}"]
    for variant, group in groups.items():
        val = spread([run.history["val_accuracy"][-1] * 100 for run in group], width=22)
        test = spread([run.scores["accuracy"] * 100 for run in group], width=18)
        loss = trained(np.mean([run.scores["loss"] for run in group]), ">11.4f")
        seconds = trained(np.mean([run.seconds for run in group]), ">8.1f")
        lines.append(f"{variant:<{name_width}}{len(group):>5}{val}{test}{loss}{seconds} s")
    return "\n".join(lines)
