"""Benchmark: the article's recipe and the fast track, side by side, on the real data.

    python -m course_utils.bench            # or: make bench

Each recipe trains in its own process (so peak memory is its own), with the test accuracy checked
after every epoch (outside the timed part). Per recipe it prints epochs, training seconds, images per
second, seconds to reach 99.0% and 99.2% test accuracy, final test accuracy and peak memory; then the
fast/article time ratios. Everything is saved as JSON in build/bench.json.
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

from course_utils import PROJECT_ROOT, setup_course

TARGETS = (0.990, 0.992)
RESULT_PATH = PROJECT_ROOT / "build" / "bench.json"


def measure(recipe_name: str) -> dict:
    """Train one recipe with test accuracy checked after each epoch; return its figures."""
    setup_course()
    import keras

    from course_utils import training
    from course_utils.data import load_prepared
    from course_utils.evaluation import evaluate

    recipe = {"article": training.ARTICLE, "fast_track": training.FAST_TRACK}[recipe_name]
    data = load_prepared()
    n_images = recipe.train_size or len(data.x_train)
    curve: list[dict] = []
    elapsed = 0.0

    class TestAccuracy(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            nonlocal elapsed
            elapsed += time.perf_counter() - self.start
            accuracy = evaluate(self.model, data.x_test, data.y_test)["accuracy"]
            curve.append({"epoch": epoch + 1, "seconds": elapsed, "test_accuracy": accuracy})

    start = time.perf_counter()
    training.train(recipe, data, verbose=0, callbacks=[TestAccuracy()])
    wall = time.perf_counter() - start
    reach = {f"seconds_to_{target:.1%}": next((p["seconds"] for p in curve if p["test_accuracy"] >= target), None)
             for target in TARGETS}
    return {
        "recipe": recipe_name,
        "key": recipe.key(),
        "epochs": recipe.epochs,
        "batch_size": recipe.batch_size,
        "train_seconds": elapsed,
        "wall_seconds_with_test_checks": wall,
        "images_per_second": n_images * recipe.epochs / elapsed,
        **reach,
        "final_test_accuracy": curve[-1]["test_accuracy"],
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "curve": curve,
    }


def run_in_subprocess(recipe_name: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "result.json")
        subprocess.run([sys.executable, "-m", "course_utils.bench", "--only", recipe_name, "--out", out], check=True)
        with open(out) as f:
            return json.load(f)


def _seconds(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.1f} s"


def report(results: list[dict]) -> dict:
    """Print the table and the ratios; return the summary that is saved."""
    print(f"{'recipe':<12}{'epochs':>7}{'seconds':>9}{'images/s':>10}{'to 99.0%':>13}{'to 99.2%':>13}"
          f"{'test acc':>10}{'peak MB':>9}")
    for r in results:
        print(f"{r['recipe']:<12}{r['epochs']:>7}{r['train_seconds']:>9.1f}{r['images_per_second']:>10.0f}"
              f"{_seconds(r['seconds_to_99.0%']):>13}{_seconds(r['seconds_to_99.2%']):>13}"
              f"{r['final_test_accuracy']:>10.2%}{r['peak_memory_mb']:>9.0f}")
    article, fast = results
    ratios = {"whole_run": fast["train_seconds"] / article["train_seconds"]}
    print(f"fast/article time, whole run: {ratios['whole_run']:.2f}")
    for target in TARGETS:
        name = f"to_{target:.1%}"
        article_reach, fast_reach = article[f"seconds_{name}"], fast[f"seconds_{name}"]
        if article_reach is None or fast_reach is None:
            ratios[name] = None
            missing = "the article recipe" if article_reach is None else "the fast track"
            print(f"fast/article time to {target:.1%}: n/a ({missing} did not reach {target:.1%})")
        else:
            ratios[name] = fast_reach / article_reach
            print(f"fast/article time to {target:.1%}: {ratios[name]:.2f}")
    return {"results": results, "ratios": ratios, "cpu_count": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["article", "fast_track"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.only:
        with open(args.out, "w") as f:
            json.dump(measure(args.only), f)
        return 0
    summary = report([run_in_subprocess("article"), run_in_subprocess("fast_track")])
    RESULT_PATH.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=RESULT_PATH.parent, suffix=".partial", delete=False) as partial:
        json.dump(summary, partial, indent=1)
    os.replace(partial.name, RESULT_PATH)
    print(f"saved {RESULT_PATH.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
