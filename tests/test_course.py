"""course_utils: the model, recipes and their cache, experiments, evaluation, plotting, bench report."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from course_utils import setup_course

setup_course()

import keras  # noqa: E402

from course_utils import bench, evaluation, experiments, plotting, training  # noqa: E402
from course_utils.model import ARTICLE_PARAMETER_COUNT, architecture, make_classifier  # noqa: E402


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def tiny_data() -> training.PreparedData:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 96)
    images = rng.random((96, 28, 28, 1), dtype=np.float32)
    onehot = keras.utils.to_categorical(labels, 10)
    return training.PreparedData(images[:64], onehot[:64], images[64:80], onehot[64:80], images[80:], onehot[80:], labels[80:])


TINY = training.Recipe(epochs=2, batch_size=32, seed=7)


def test_default_classifier_is_the_article_network():
    model = make_classifier()
    assert model.count_params() == ARTICLE_PARAMETER_COUNT == 257_162
    kinds = [kind for kind, _, _ in architecture(model)]
    assert kinds == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense", "Dense"]
    assert all(settings["padding"] == "same" for kind, _, settings in architecture(model) if kind == "Conv2D")
    assert model.loss.get_config()["label_smoothing"] == 0.0


def test_classifier_options_add_layers_but_dropout_adds_no_weights():
    assert make_classifier(dropout=0.25).count_params() == 257_162
    kinds = [kind for kind, _, _ in architecture(make_classifier(batch_norm=True))]
    assert kinds.count("BatchNormalization") == 4
    with pytest.raises(ValueError, match="dropout"):
        make_classifier(dropout=1.5)


def test_recipe_key_changes_with_every_field():
    keys = {training.ARTICLE.key()}
    for field, value in {"optimizer": "adam", "epochs": 3, "batch_size": 256, "seed": 1, "dropout": 0.25,
                         "label_smoothing": 0.1, "train_size": 100}.items():
        keys.add(dataclasses.replace(training.ARTICLE, **{field: value}).key())
    assert len(keys) == 8
    assert training.ARTICLE.key() == training.Recipe().key()
    assert training.ARTICLE.steps_per_epoch() == 275


def test_recipe_builds_its_optimizer_and_schedule():
    assert isinstance(training.ARTICLE.make_optimizer(), keras.optimizers.RMSprop)
    sgd = training.Recipe(optimizer="sgd", learning_rate=0.01, momentum=0.9).make_optimizer()
    assert sgd.get_config()["momentum"] == 0.9
    recipe = training.Recipe(optimizer="adam", learning_rate=0.003, schedule="warmup_cosine", warmup_epochs=0.3,
                             epochs=3, batch_size=256)
    schedule = recipe.learning_rate_schedule()
    warmup = round(0.3 * recipe.steps_per_epoch())
    assert warmup == 64
    assert float(schedule(0)) == pytest.approx(0.0003)
    assert float(schedule(warmup)) == pytest.approx(0.003)
    assert float(schedule(3 * recipe.steps_per_epoch())) == pytest.approx(0.0, abs=1e-9)
    assert isinstance(training.FAST_TRACK.make_optimizer(), keras.optimizers.Adam)
    with pytest.raises(ValueError, match="unknown optimizer"):
        training.Recipe(optimizer="adagrad").make_optimizer()


def test_training_is_repeatable_with_a_seed(tiny_data):
    _, first = training.train(TINY, tiny_data, verbose=0)
    _, second = training.train(TINY, tiny_data, verbose=0)
    assert first["loss"] == second["loss"] and len(first["loss"]) == 2
    assert set(first) == {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"}


def test_artifacts_round_trip_and_are_keyed_by_recipe(cache, tiny_data):
    model, history = training.train(TINY, tiny_data, verbose=0)
    training.save_artifacts(TINY, model, history, {"accuracy": 0.5, "loss": 2.0})
    assert sorted(p.name for p in cache.iterdir()) == sorted(p.name for p in training.artifact_paths(TINY))
    loaded, loaded_history = training.load_artifacts(TINY)
    assert loaded_history == history
    np.testing.assert_array_equal(loaded.predict(tiny_data.x_test, verbose=0), model.predict(tiny_data.x_test, verbose=0))
    assert training.load_record(TINY)["scores"] == {"accuracy": 0.5, "loss": 2.0}
    assert training.load_artifacts(dataclasses.replace(TINY, seed=8)) is None


def test_a_record_for_another_recipe_is_not_loaded(cache, tiny_data):
    model, history = training.train(TINY, tiny_data, verbose=0)
    training.save_artifacts(TINY, model, history)
    _, record_path = training.artifact_paths(TINY)
    record = json.loads(record_path.read_text())
    record["recipe"]["epochs"] = 99
    record_path.write_text(json.dumps(record))
    assert training.load_record(TINY) is None


def test_failed_save_leaves_nothing_behind(cache, tiny_data, monkeypatch):
    model, history = training.train(TINY, tiny_data, verbose=0)
    monkeypatch.setattr(json, "dumps", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        training.save_artifacts(TINY, model, history)
    assert list(cache.iterdir()) == []


def test_load_or_train_prints_the_same_line_cached_or_not(cache, tiny_data, capsys):
    _, trained = training.load_or_train(TINY, tiny_data)
    first = capsys.readouterr().out
    _, loaded = training.load_or_train(TINY, tiny_data)
    assert capsys.readouterr().out == first == f"Model ready: recipe {TINY.key()}, 2 epochs\n"
    assert loaded == trained


def test_scale_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("COURSE_SCALE", "full")
    assert experiments.current_scale().train_size is None
    monkeypatch.setenv("COURSE_SCALE", "quick")
    assert experiments.current_scale() == experiments.SCALES["quick"]
    assert experiments.SCALES["quick"].apply(training.ARTICLE, 3) == dataclasses.replace(
        training.ARTICLE, seed=3, epochs=3, train_size=8000)
    monkeypatch.setenv("COURSE_SCALE", "huge")
    with pytest.raises(ValueError, match="COURSE_SCALE='huge' is not a scale; use one of quick, full"):
        experiments.current_scale()


def test_grid_trains_once_then_loads_and_summarises(cache, tiny_data, capsys):
    scale = experiments.Scale("tiny", seeds=(1, 2), epochs=1, train_size=32)
    variants = {"plain": TINY, "dropout": dataclasses.replace(TINY, dropout=0.25)}
    runs = experiments.run_grid(variants, scale, tiny_data)
    assert [(r.variant, r.recipe.seed) for r in runs] == [("plain", 1), ("plain", 2), ("dropout", 1), ("dropout", 2)]
    assert len(list(cache.glob("*.keras"))) == 4
    again = experiments.run_grid(variants, scale, tiny_data)
    assert [r.scores for r in again] == [r.scores for r in runs]
    table = experiments.summary_table(runs).splitlines()
    assert table[0].split() == ["variant", "runs", "validation", "accuracy", "test", "accuracy", "test", "loss", "seconds"]
    assert table[1].startswith("plain") and " 2 " in table[1] and table[1].count("±") == 2
    assert len(experiments.mean_history(runs[:2])["loss"]) == 1


def test_confusion_matrix_and_comparison_with_the_article():
    matrix = evaluation.confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), num_classes=3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    text = evaluation.compare_with_article({"accuracy": 0.9913, "loss": 0.0291})
    assert text.splitlines()[1].split() == ["this", "run", "99.13%", "0.0291"]
    assert text.splitlines()[2].split() == ["article", "99.27%", "0.0317"]


def test_plots_have_the_expected_panels():
    history = {"loss": [0.3, 0.1], "accuracy": [0.9, 0.97], "val_loss": [0.2, 0.15], "val_accuracy": [0.95, 0.96]}
    assert len(plotting.plot_history_article(history).axes) == 1
    figure = plotting.plot_history({"a": history, "b": history})
    assert [ax.get_title() for ax in figure.axes] == ["Loss", "Accuracy"] and len(figure.axes[0].lines) == 4
    probabilities = np.eye(10)[[1, 2, 3]] * 0.9 + 0.01
    gallery = plotting.show_misclassified(np.zeros((3, 28, 28)), np.array([1, 5, 3]), probabilities)
    assert [ax.get_title() for ax in gallery.axes if ax.get_title()] == ["2 (91%) / 5"]
    plotting.plt.close("all")


def test_bench_report_prints_figures_and_ratios(capsys):
    def result(name, seconds, reach):
        return {"recipe": name, "epochs": 3, "train_seconds": seconds, "images_per_second": 1000.0,
                "seconds_to_99.0%": reach, "seconds_to_99.2%": reach, "final_test_accuracy": 0.993, "peak_memory_mb": 900.0}
    summary = bench.report([result("article", 100.0, 40.0), result("fast_track", 25.0, 10.0)])
    out = capsys.readouterr().out
    assert summary["ratios"] == {"whole_run": 0.25, "to_99.0%": 0.25, "to_99.2%": 0.25}
    assert "fast/article time, whole run: 0.25" in out and "fast/article time to 99.2%: 0.25" in out
    summary = bench.report([result("article", 100.0, None), result("fast_track", 25.0, 10.0)])
    out = capsys.readouterr().out
    assert "not reached" in out and "n/a (the article recipe did not reach 99.2%)" in out
    assert summary["ratios"]["to_99.2%"] is None
