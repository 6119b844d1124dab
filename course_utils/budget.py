"""How much the experiments train: the training budget, chosen with ``COURSE_BUDGET``.

- ``quick`` (the default: ``make test``, ``make run`` and the committed notebooks): 3 seeds, 2 epochs
  on the first 6,000 training images (60 steps of 200 images). Real training on real data, about ten
  seconds a run, so that ``make test`` stays within its budget.
- ``full`` (``make run COURSE_BUDGET=full``): 3 seeds, each recipe's own epochs (the article's 10) on
  all 55,000 training images; the figures quoted in the notebooks' prose come from it.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from course_utils.data import TRAIN_SIZE

BUDGET_VARIABLE = "COURSE_BUDGET"
DEFAULT_BUDGET = "quick"


@dataclass(frozen=True)
class Budget:
    """How much an experiment trains: which seeds, how many epochs, how many training images."""

    name: str
    seeds: tuple[int, ...]
    epochs: int | None  # None: keep each recipe's own epochs
    train_size: int | None  # None: all 55,000 training images

    def apply(self, recipe, seed: int):
        """``recipe`` cut to this budget, with ``seed``."""
        epochs = recipe.epochs if self.epochs is None else self.epochs
        return dataclasses.replace(recipe, seed=seed, epochs=epochs, train_size=self.train_size)

    def __str__(self) -> str:
        epochs = "each recipe's own epochs" if self.epochs is None else f"{self.epochs} epochs"
        images = f"all {TRAIN_SIZE:,} training images" if self.train_size is None else f"{self.train_size:,} training images"
        return f"budget {self.name!r}: {len(self.seeds)} seeds x {epochs} on {images}"


BUDGETS = {
    "quick": Budget("quick", seeds=(1, 2, 3), epochs=2, train_size=6000),
    "full": Budget("full", seeds=(1, 2, 3), epochs=None, train_size=None),
}


def current_budget() -> Budget:
    """The budget named by ``$COURSE_BUDGET`` (default ``quick``)."""
    name = os.environ.get(BUDGET_VARIABLE) or DEFAULT_BUDGET
    if name not in BUDGETS:
        raise ValueError(f"{BUDGET_VARIABLE}={name!r} is not a budget; use one of {', '.join(BUDGETS)}.")
    return BUDGETS[name]
