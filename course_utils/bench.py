"""Benchmark: the course's recipes and a peer, side by side, three seeds each, on the real data.

    python -m course_utils.bench            # or: make bench
    python -m course_utils.bench --recipes article one_epoch --seeds 1

The recipes: the article's, the fast track (notebook 10), the one-epoch recipe, the best recipe
(notebook 11) and, as a peer, the keras-io example "Simple MNIST convnet" (``training.KERAS_IO``).
Each run (a recipe with a seed) trains in its own process, so its peak memory is its own. The runs go
round the recipes seed by seed (every recipe with seed 1, then seed 2, ...), so that a change in the
machine's load falls on every recipe alike.

While a run trains, its test accuracy is checked every ``CHECK_EVERY`` steps in its first epoch and
every ``CHECK_EVERY_LATER`` steps after it, until it reaches ``TARGET``, and after every epoch; the
clock stops during each check, so the training seconds are training only. Per recipe the report gives
the mean ± sd over the seeds of the final test accuracy, the training seconds and the seconds to
``TARGET``, and the peak memory; then the time ratios to the article's recipe (ratios of the means)
and whether the course's claims hold in this run. Everything is saved to build/bench.json (written to
a temporary file, then renamed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

from course_utils import PROJECT_ROOT
from course_utils.files import atomic_write

#: The test accuracy whose time is measured ("seconds to 99.0%").
TARGET = 0.990
#: Check the test accuracy every this many training steps in the first epoch (until TARGET is reached)...
CHECK_EVERY = 25
#: ...and every this many steps after it. A check of the 10,000 test digits takes about 2 s on a 2-core
#: CPU, as long as 15-30 training steps: checking every 25 steps all the way would nearly double the
#: time of a recipe that needs many epochs to reach TARGET.
CHECK_EVERY_LATER = 100
#: The recipes in the order they are reported, by the name of their constant in course_utils.training.
RECIPES = {"article": "ARTICLE", "fast_track": "FAST_TRACK", "one_epoch": "ONE_EPOCH", "best": "BEST",
           "keras_io": "KERAS_IO"}
SEEDS = (1, 2, 3)
RESULT_PATH = PROJECT_ROOT / "build" / "bench.json"
#: The claims the bench checks: the best recipe's accuracy at no more than the article's training time,
#: and the one-epoch recipe's 99.0% in at most a tenth of the article's training time.
BEST_ACCURACY = 0.995
ONE_EPOCH_SHARE = 0.10


def recipe_named(name: str, seed: int):
    """The recipe ``name`` (a key of ``RECIPES``) with ``seed``."""
    import dataclasses

    from course_utils import training

    return dataclasses.replace(getattr(training, RECIPES[name]), seed=seed)


def accuracy_checks(images: np.ndarray, labels: np.ndarray, every: int = CHECK_EVERY,
                    later_every: int = CHECK_EVERY_LATER, target: float = TARGET):
    """A Keras callback that times the training and checks the accuracy on ``images`` outside the timed part.

    Until the accuracy reaches ``target`` it checks every ``every`` steps of the first epoch and every
    ``later_every`` steps (counted from the start) after it; and it checks at each epoch's end (after
    ``fit``'s validation pass, which is timed like in ``training.EpochTimer``). After ``fit``: ``seconds``
    and ``cpu_seconds`` of training, ``seconds_to_target`` (None if never reached) and ``curve``, one
    ``{"step", "epoch", "seconds", "accuracy"}`` per check.
    """
    import keras

    from course_utils.evaluation import accuracy

    class AccuracyChecks(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds = self.cpu_seconds = 0.0
            self.step, self.seconds_to_target, self.curve = 0, None, []

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch + 1
            self._start()

        def on_train_batch_end(self, batch, logs=None):
            self.step += 1
            interval = every if self.epoch == 1 else later_every
            if self.seconds_to_target is None and self.step % interval == 0:
                self._stop()
                self._check()
                self._start()

        def on_epoch_end(self, epoch, logs=None):
            self._stop()
            self._check()

        def _start(self):
            self._wall, self._cpu = time.perf_counter(), time.process_time()

        def _stop(self):
            self.seconds += time.perf_counter() - self._wall
            self.cpu_seconds += time.process_time() - self._cpu

        def _check(self):
            value = accuracy(self.model, images, labels)
            self.curve.append({"step": self.step, "epoch": self.epoch, "seconds": self.seconds, "accuracy": value})
            if self.seconds_to_target is None and value >= target:
                self.seconds_to_target = self.seconds

    return AccuracyChecks()


def measure(name: str, seed: int) -> dict:
    """Train recipe ``name`` with ``seed`` on the real data, checking its test accuracy; return its figures.
    (``main`` has run ``setup_course``.)"""
    from course_utils.data import load_prepared
    from course_utils.training import train

    recipe = recipe_named(name, seed)
    data = load_prepared()
    checks = accuracy_checks(data.x_test, data.labels_test)
    start = time.perf_counter()
    train(recipe, data, verbose=0, callbacks=[checks])
    return {
        "recipe": name,
        "seed": seed,
        "key": recipe.key(),
        "epochs": recipe.epochs,
        "batch_size": recipe.batch_size,
        "train_seconds": checks.seconds,
        "cpu_seconds": checks.cpu_seconds,
        "wall_seconds_with_checks": time.perf_counter() - start,
        "seconds_to_target": checks.seconds_to_target,
        "test_accuracy": checks.curve[-1]["accuracy"],
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "curve": checks.curve,
    }


def run_in_subprocess(name: str, seed: int) -> dict:
    """``measure(name, seed)`` in a fresh Python process (its own memory), returning its figures."""
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "result.json")
        subprocess.run([sys.executable, "-m", "course_utils.bench", "--only", name, "--seed", str(seed), "--out", out],
                       check=True)
        with open(out, encoding="utf-8") as f:
            return json.load(f)


def summarise(runs: list[dict]) -> dict:
    """Per recipe (in ``RECIPES`` order): its runs' means and sds, and the mean seconds to TARGET (None
    unless every seed reached it)."""
    recipes = {}
    for name in [n for n in RECIPES if any(r["recipe"] == n for r in runs)]:
        group = [r for r in runs if r["recipe"] == name]
        reach = [r["seconds_to_target"] for r in group]
        recipes[name] = {
            "seeds": [r["seed"] for r in group],
            "epochs": group[0]["epochs"],
            "test_accuracy_mean": float(np.mean([r["test_accuracy"] for r in group])),
            "test_accuracy_sd": float(np.std([r["test_accuracy"] for r in group], ddof=1)) if len(group) > 1 else None,
            "train_seconds_mean": float(np.mean([r["train_seconds"] for r in group])),
            "cpu_seconds_mean": float(np.mean([r["cpu_seconds"] for r in group])),
            "seconds_to_target_mean": None if None in reach else float(np.mean(reach)),
            "seeds_reaching_target": sum(value is not None for value in reach),
            "peak_memory_mb": float(max(r["peak_memory_mb"] for r in group)),
        }
    return recipes


def report(runs: list[dict]) -> dict:
    """Print the table, the time ratios and the claims; return the summary that is saved."""
    from course_utils.experiments import spread  # here, not at the top: it loads TensorFlow (see main)

    recipes = summarise(runs)
    target = f"{TARGET:.1%}"
    print(f"\n{'recipe':<11}{'epochs':>7}{'test accuracy':>18}{'training s':>14}"
          f"{'CPU s':>8}{'to ' + target:>14}{'peak MB':>9}")
    for name, s in recipes.items():
        group = [r for r in runs if r["recipe"] == name]
        if s["seconds_to_target_mean"] is not None:
            reach = spread([r["seconds_to_target"] for r in group], 0, "")
        else:
            reach = f"{s['seeds_reaching_target']} of {len(group)} seeds"
        print(f"{name:<11}{s['epochs']:>7}{spread([100 * r['test_accuracy'] for r in group]):>18}"
              f"{spread([r['train_seconds'] for r in group], 0, ''):>14}{s['cpu_seconds_mean']:>8.0f}{reach:>14}"
              f"{s['peak_memory_mb']:>9.0f}")
    ratios, claims = {}, {}
    article = recipes.get("article")
    if article:
        print("\nTime ratios to the article's recipe (of the means; CPU seconds in brackets):")
        for name, s in recipes.items():
            if name == "article":
                continue
            whole = s["train_seconds_mean"] / article["train_seconds_mean"]
            cpu = s["cpu_seconds_mean"] / article["cpu_seconds_mean"]
            reach = s["seconds_to_target_mean"]
            to_target = (None if reach is None or article["seconds_to_target_mean"] is None
                         else reach / article["seconds_to_target_mean"])
            share = None if reach is None else reach / article["train_seconds_mean"]
            ratios[name] = {"whole_run": whole, "whole_run_cpu": cpu, f"to_{target}": to_target,
                            f"to_{target}_of_article_run": share}
            words = [f"whole run {whole:.2f} ({cpu:.2f})"]
            words.append(f"to {target} {to_target:.2f}" if to_target is not None else f"to {target} n/a")
            words.append(f"its time to {target} / the article's whole run {share:.2f}" if share is not None else "")
            print(f"  {name:<11}" + ", ".join(w for w in words if w))
        if "best" in recipes:
            best = recipes["best"]
            claims["best"] = {"accuracy": best["test_accuracy_mean"] >= BEST_ACCURACY,
                              "time": ratios["best"]["whole_run"] <= 1.0}
        if "one_epoch" in recipes:
            share = ratios["one_epoch"][f"to_{target}_of_article_run"]
            claims["one_epoch"] = {"accuracy": recipes["one_epoch"]["test_accuracy_mean"] >= TARGET,
                                   "time": share is not None and share <= ONE_EPOCH_SHARE}
    verdict = {True: "met", False: "NOT met"}
    if claims:
        print("\nClaims:")
    if "best" in claims:
        print(f"  best: mean test accuracy >= {BEST_ACCURACY:.1%}: {verdict[claims['best']['accuracy']]}; "
              f"training time <= the article's: {verdict[claims['best']['time']]}")
    if "one_epoch" in claims:
        print(f"  one_epoch: mean test accuracy >= {target}: {verdict[claims['one_epoch']['accuracy']]}; "
              f"time to {target} <= {ONE_EPOCH_SHARE:.0%} of the article's training time: "
              f"{verdict[claims['one_epoch']['time']]}")
    return {"target": TARGET, "recipes": recipes, "ratios": ratios, "claims": claims, "runs": runs,
            "cpu_count": os.cpu_count(), "load_average": os.getloadavg()}


def save(summary: dict) -> None:
    """Write ``summary`` to ``RESULT_PATH`` through a temporary file, so it is never half written."""
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(RESULT_PATH) as file:
        json.dump(summary, file, indent=1)
    print(f"saved {RESULT_PATH.relative_to(PROJECT_ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipes", nargs="+", choices=list(RECIPES), default=list(RECIPES),
                        help="the recipes to run (default: all)")
    parser.add_argument("--seeds", type=int, default=len(SEEDS), choices=range(1, len(SEEDS) + 1),
                        help=f"how many of the seeds {SEEDS} to run (default: all)")
    parser.add_argument("--only", choices=list(RECIPES), help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # TensorFlow is loaded only after the course's environment quiets its C++ log lines.
    from course_utils import setup_course

    setup_course()
    if args.only:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(measure(args.only, args.seed), f)
        return 0
    plan = [(name, seed) for seed in SEEDS[:args.seeds] for name in args.recipes]
    print(f"make bench: {len(plan)} runs ({', '.join(args.recipes)} x {args.seeds} seeds), on {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    runs = []
    for number, (name, seed) in enumerate(plan, start=1):
        run = run_in_subprocess(name, seed)
        runs.append(run)
        reach = "not reached" if run["seconds_to_target"] is None else f"after {run['seconds_to_target']:.0f} s"
        print(f"[{number}/{len(plan)}] {name} seed {seed}: test accuracy {run['test_accuracy']:.2%}, "
              f"{run['train_seconds']:.0f} s of training, {TARGET:.1%} {reach}", flush=True)
    save(report(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
