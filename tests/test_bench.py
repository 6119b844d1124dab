"""course_utils.bench: the report, the accuracy checks and the saved file. Only the checks train (a tiny
model on random images); the report is fed made-up runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from course_utils import bench, evaluation, training
from tests.tiny import TINY


def run(recipe: str, seed: int, accuracy: float, seconds: float, reach: float | None, epochs: int = 10) -> dict:
    return {"recipe": recipe, "seed": seed, "epochs": epochs, "test_accuracy": accuracy, "train_seconds": seconds,
            "cpu_seconds": 2 * seconds, "seconds_to_target": reach, "peak_memory_mb": 900.0 + seed}


def runs(best_accuracy: float = 0.996, one_epoch_reach: float = 25.0) -> list[dict]:
    made = []
    for seed, wobble in zip((1, 2, 3), (-1.0, 0.0, 1.0), strict=True):
        made += [run("article", seed, 0.991, 300.0 + wobble, 120.0 + wobble),
                 run("one_epoch", seed, 0.9905, 32.0, one_epoch_reach + wobble, epochs=1),
                 run("best", seed, best_accuracy + wobble / 1000, 280.0 + wobble, 60.0, epochs=7),
                 run("keras_io", seed, 0.991, 200.0, None if seed == 2 else 150.0, epochs=15)]
    return made


def test_the_report_gives_means_sds_ratios_and_claims(capsys):
    summary = bench.report(runs())
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("recipe"))
    assert header.split() == ["recipe", "epochs", "test", "accuracy", "training", "s", "CPU", "s", "to", "99.0%",
                              "peak", "MB"]
    table = {line.split()[0]: line for line in lines[lines.index(header) + 1:lines.index(header) + 5]}
    assert list(table) == ["article", "one_epoch", "best", "keras_io"]  # the order of bench.RECIPES
    assert "99.10 ± 0.00 %" in table["article"] and "300 ± 1" in table["article"] and table["article"].endswith(" 903")
    assert "99.60 ± 0.10 %" in table["best"]
    assert "2 of 3 seeds" in table["keras_io"]  # one seed never reached 99.0%: no mean time to it
    ratios = summary["ratios"]
    assert ratios["best"]["whole_run"] == pytest.approx(280 / 300)
    assert ratios["best"]["whole_run_cpu"] == pytest.approx(280 / 300)
    assert ratios["one_epoch"]["to_99.0%"] == pytest.approx(25 / 120)
    assert ratios["one_epoch"]["to_99.0%_of_article_run"] == pytest.approx(25 / 300)
    assert ratios["keras_io"]["to_99.0%"] is None
    assert "  one_epoch  whole run 0.11 (0.11), to 99.0% 0.21, its time to 99.0% / the article's whole run 0.08" in out
    assert summary["claims"] == {"best": {"accuracy": True, "time": True},
                                 "one_epoch": {"accuracy": True, "time": True}}
    assert "best: mean test accuracy >= 99.5%: met; training time <= the article's: met" in out
    assert summary["recipes"]["keras_io"]["seconds_to_target_mean"] is None
    json.dumps(summary)  # everything in it can be saved


def test_claims_that_fail_say_so(capsys):
    summary = bench.report(runs(best_accuracy=0.994, one_epoch_reach=40.0))
    out = capsys.readouterr().out
    assert summary["claims"] == {"best": {"accuracy": False, "time": True},
                                 "one_epoch": {"accuracy": True, "time": False}}
    assert "best: mean test accuracy >= 99.5%: NOT met" in out
    assert "of the article's training time: NOT met" in out


def test_a_single_seed_has_no_sd(capsys):
    bench.report([run("article", 1, 0.991, 300.0, 120.0)])
    table_line = capsys.readouterr().out.splitlines()[2]
    assert "±" not in table_line and "99.10 %" in table_line


def test_the_checks_stop_the_clock_and_find_the_target(tiny_data):
    labels = tiny_data.y_test.argmax(axis=1)
    found = bench.accuracy_checks(tiny_data.x_test, labels, every=1, later_every=1, target=0.0)
    training.train(TINY, tiny_data, verbose=0, callbacks=[found])
    assert found.curve[0]["step"] == 1 and found.seconds_to_target == found.curve[0]["seconds"] > 0
    steps = 4  # 2 epochs of 2 steps: 64 training images, batch size 32
    assert [c["step"] for c in found.curve] == [1, 2, 4]  # step 1 reaches it; then the epoch ends only
    never = bench.accuracy_checks(tiny_data.x_test, labels, every=1, later_every=1, target=1.01)
    training.train(TINY, tiny_data, verbose=0, callbacks=[never])
    assert never.seconds_to_target is None
    assert [c["step"] for c in never.curve] == [1, 2, 2, 3, 4, 4] and never.curve[-1]["step"] == steps
    assert never.curve[-1]["seconds"] == pytest.approx(never.seconds) and never.cpu_seconds > 0
    sparser = bench.accuracy_checks(tiny_data.x_test, labels, every=1, later_every=4, target=1.01)
    training.train(TINY, tiny_data, verbose=0, callbacks=[sparser])
    assert [c["step"] for c in sparser.curve] == [1, 2, 2, 4, 4]  # after epoch 1: step 4 and the epoch ends
    model, _ = training.train(TINY, tiny_data, verbose=0)
    expected = np.mean(model.predict(tiny_data.x_test, verbose=0).argmax(axis=1) == labels)
    assert evaluation.accuracy(model, tiny_data.x_test, labels) == pytest.approx(expected)


def test_every_bench_recipe_is_a_course_recipe():
    assert [bench.recipe_named(name, 2).seed for name in bench.RECIPES] == [2] * len(bench.RECIPES)
    assert bench.recipe_named("article", 1) == training.Recipe(seed=1)
    assert bench.recipe_named("keras_io", 3).architecture == "keras_io"


def test_the_result_is_saved_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "RESULT_PATH", tmp_path / "build" / "bench.json")
    monkeypatch.setattr(bench, "PROJECT_ROOT", tmp_path)
    bench.save({"recipes": {}, "runs": []})
    assert json.loads((tmp_path / "build" / "bench.json").read_text()) == {"recipes": {}, "runs": []}
    assert [p.name for p in (tmp_path / "build").iterdir()] == ["bench.json"]  # no partial file left
