"""How much the experiments train: the training budget, chosen with ``COURSE_BUDGET``. This is the one
place its figures live; a notebook asks its budget for them (and prints it) instead of typing them.

- ``quick`` (the default: ``make test``, ``make run`` and the committed notebooks): 3 seeds, 2 epochs
  on the first 6,000 training images (60 steps of 200 images). Real training on real data, about ten
  seconds a run, so that ``make test`` stays within its time.
- ``full`` (``make run COURSE_BUDGET=full``): 3 seeds, each recipe's own epochs (the article's 10) on
  all 55,000 training images, and the longer comparisons of notebooks 08 and 10.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from course_utils.data import TRAIN_SIZE
from course_utils.i18n import _, ngettext

BUDGET_VARIABLE = "COURSE_BUDGET"
DEFAULT_BUDGET = "quick"


@dataclass(frozen=True)
class Budget:
    """How much an experiment trains: which seeds, how many epochs, how many training images, and what
    the longer comparisons include."""

    name: str
    seeds: tuple[int, ...]
    epochs: int | None  # None: keep each recipe's own epochs
    train_size: int | None  # None: all 55,000 training images
    dropout: bool = False  # notebook 08 also trains dropout, which fights overfitting: only long runs show it
    sweep_seeds: tuple[int, ...] = (1,)  # notebook 10's seeds for its steps and its sweep of peaks
    peaks: tuple[float, ...] = (0.003, 0.01, 0.015)  # the peak learning rates notebook 10 tries
    claims: tuple[str, ...] = ("one epoch",)  # the recipes notebook 10 trains on all the training images
    claim_seeds: tuple[int, ...] = (1,)  # and their seeds

    @property
    def images(self) -> int:
        """How many training images a run sees."""
        return self.train_size or TRAIN_SIZE

    def apply(self, recipe, seed: int):
        """``recipe`` cut to this budget, with ``seed``."""
        epochs = recipe.epochs if self.epochs is None else self.epochs
        return dataclasses.replace(recipe, seed=seed, epochs=epochs, train_size=self.train_size)

    def sweep(self) -> Budget:
        """Notebook 10's budget for its steps and its sweep: each recipe's own epochs, on this budget's images."""
        return Budget(f"{self.name} sweep", seeds=self.sweep_seeds, epochs=None, train_size=self.train_size)

    def claim(self) -> Budget:
        """Notebook 10's budget for its claims: each recipe's own epochs on all the training images."""
        return Budget(f"{self.name} claim", seeds=self.claim_seeds, epochs=None, train_size=None)

    def __str__(self) -> str:
        """What it trains, in a line a notebook prints: "budget 'quick': 3 seeds x 2 epochs on 6,000 training
        images" (in the course's language; the name is the one ``COURSE_BUDGET`` takes)."""
        epochs = _("each recipe's own epochs") if self.epochs is None else _("{count} epochs").format(
            count=self.epochs)
        images = (_("all {count:,} training images").format(count=TRAIN_SIZE) if self.train_size is None
                  else _("{count:,} training images").format(count=self.train_size))
        count = len(self.seeds)
        seeds = ngettext("{count} seed", "{count} seeds", 2 if count > 1 else 1).format(count=count)
        return _("budget {name!r}: {seeds} x {epochs} on {images}").format(name=self.name, seeds=seeds,
                                                                         epochs=epochs, images=images)


BUDGETS = {
    "quick": Budget("quick", seeds=(1, 2, 3), epochs=2, train_size=6000),
    "full": Budget("full", seeds=(1, 2, 3), epochs=None, train_size=None, dropout=True, sweep_seeds=(1, 2, 3),
                   peaks=(0.003, 0.005, 0.007, 0.01, 0.015), claims=("fast track", "one epoch"),
                   claim_seeds=(1, 2, 3)),
}


def current_budget() -> Budget:
    """The budget named by ``$COURSE_BUDGET`` (default ``quick``)."""
    name = os.environ.get(BUDGET_VARIABLE) or DEFAULT_BUDGET
    if name not in BUDGETS:
        raise ValueError(_("{variable}={name!r} is not a budget; use one of {budgets}.").format(
            variable=BUDGET_VARIABLE, name=name, budgets=", ".join(BUDGETS)))
    return BUDGETS[name]
