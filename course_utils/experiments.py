"""Experiments: several recipes over several seeds, summarised as mean ± sd.

How much is trained is set by the environment variable ``COURSE_SCALE``:

- ``quick`` (the default, and what ``make test`` and the committed notebooks use): 3 seeds, 3 epochs
  on the first 8,000 training images. Real training on real data, in about two minutes per notebook.
- ``full`` (what ``make run`` uses): 3 seeds, the article's 10 epochs on all 55,000 training images.

Each run is cached like any recipe (``build/cache``), so a grid that was trained once is only
loaded the next time, and two notebooks that share a recipe train it once.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import numpy as np

from course_utils.evaluation import evaluate
from course_utils.training import PreparedData, Recipe, load_prepared, load_record, save_artifacts, train

SCALE_VARIABLE = "COURSE_SCALE"


@dataclass(frozen=True)
class Scale:
    """How much an experiment trains: which seeds, how many epochs, how many training images."""

    name: str
    seeds: tuple[int, ...]
    epochs: int | None  # None: keep each recipe's own epochs
    train_size: int | None  # None: all 55,000 training images

    def apply(self, recipe: Recipe, seed: int) -> Recipe:
        """``recipe`` cut to this scale, with ``seed``."""
        epochs = recipe.epochs if self.epochs is None else self.epochs
        return dataclasses.replace(recipe, seed=seed, epochs=epochs, train_size=self.train_size)


SCALES = {
    "quick": Scale("quick", seeds=(1, 2, 3), epochs=3, train_size=8000),
    "full": Scale("full", seeds=(1, 2, 3), epochs=None, train_size=None),
}


def current_scale() -> Scale:
    """The scale named by ``$COURSE_SCALE`` (default ``quick``)."""
    name = os.environ.get(SCALE_VARIABLE, "quick")
    if name not in SCALES:
        raise ValueError(f"{SCALE_VARIABLE}={name!r} is not a scale; use one of {', '.join(SCALES)}.")
    return SCALES[name]


@dataclass(frozen=True)
class Run:
    """One trained recipe: its variant name, seed, history, test scores and training seconds."""

    variant: str
    recipe: Recipe
    history: dict
    scores: dict

    @property
    def seconds(self) -> float:
        return float(sum(self.history["seconds"]))


def run_recipe(variant: str, recipe: Recipe, data: PreparedData | None = None) -> Run:
    """Train ``recipe`` (or load it from the cache), score it on the test set, print one line."""
    record = load_record(recipe)
    if record is None or record.get("scores") is None:
        data = data or load_prepared()
        model, history = train(recipe, data, verbose=0)
        scores = evaluate(model, data.x_test, data.y_test)
        save_artifacts(recipe, model, history, scores)
    else:
        history, scores = record["history"], record["scores"]
    run = Run(variant, recipe, history, scores)
    print(f"{variant:<20} seed {recipe.seed}: validation accuracy {history['val_accuracy'][-1]:.2%}, "
          f"test accuracy {scores['accuracy']:.2%}")
    return run


def run_grid(variants: dict[str, Recipe], scale: Scale | None = None, data: PreparedData | None = None) -> list[Run]:
    """Every variant over every seed of ``scale`` (default: ``current_scale()``)."""
    scale = scale or current_scale()
    return [run_recipe(name, scale.apply(recipe, seed), data) for name, recipe in variants.items() for seed in scale.seeds]


def by_variant(runs: list[Run]) -> dict[str, list[Run]]:
    """Group runs by variant name, in the order they were run."""
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.variant, []).append(run)
    return groups


def mean_history(runs: list[Run]) -> dict[str, list[float]]:
    """The per-epoch mean of each metric over the runs (all must have the same number of epochs)."""
    return {key: np.mean([run.history[key] for run in runs], axis=0).tolist() for key in runs[0].history}


def summary_table(runs: list[Run]) -> str:
    """A text table per variant: runs, validation and test accuracy (mean ± sd), test loss, seconds."""
    lines = [f"{'variant':<20}{'runs':>5}{'validation accuracy':>22}{'test accuracy':>18}{'test loss':>11}{'seconds':>9}"]
    for variant, group in by_variant(runs).items():
        val = np.array([run.history["val_accuracy"][-1] for run in group]) * 100
        test = np.array([run.scores["accuracy"] for run in group]) * 100
        loss = np.mean([run.scores["loss"] for run in group])
        seconds = np.mean([run.seconds for run in group])
        lines.append(f"{variant:<20}{len(group):>5}{val.mean():>14.2f} ± {val.std(ddof=1) if len(group) > 1 else 0:.2f} %"
                     f"{test.mean():>10.2f} ± {test.std(ddof=1) if len(group) > 1 else 0:.2f} %{loss:>11.4f}{seconds:>9.2f}")
    return "\n".join(lines)
